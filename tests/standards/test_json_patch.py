"""JSON Patch as AG-UI's STATE_DELTA uses it: RFC 6902's operations, all or nothing."""

from __future__ import annotations

import pytest

from agent_core.agui.json_patch import PatchError, apply_patch


def test_the_rfc_operations_apply_in_order() -> None:
    doc = {"a/b": 1, "list": ["x", "z"], "memory": {"facts": {"f1": "Lives in Oslo"}}}
    out = apply_patch(
        doc,
        [
            {"op": "add", "path": "/list/1", "value": "y"},
            {"op": "add", "path": "/list/-", "value": "end"},
            {"op": "replace", "path": "/a~1b", "value": 2},
            {"op": "remove", "path": "/memory/facts/f1"},
            {"op": "add", "path": "/memory/facts/f2", "value": "Lives in Berlin"},
            {"op": "copy", "from": "/memory/facts/f2", "path": "/home"},
            {"op": "move", "from": "/list/0", "path": "/first"},
            {"op": "test", "path": "/home", "value": "Lives in Berlin"},
        ],
    )
    assert out == {
        "a/b": 2,
        "list": ["y", "z", "end"],
        "memory": {"facts": {"f2": "Lives in Berlin"}},
        "home": "Lives in Berlin",
        "first": "x",
    }
    assert doc["list"] == ["x", "z"]  # the original is untouched
    assert apply_patch({"a": 1}, [{"op": "replace", "path": "", "value": [1]}]) == [1]


@pytest.mark.parametrize(
    ("ops", "message"),
    [
        ([{"op": "remove", "path": "/nope"}], "does not exist"),
        ([{"op": "replace", "path": "/list/5", "value": 1}], "out of range"),
        ([{"op": "test", "path": "/a", "value": 2}], "test failed"),
        ([{"op": "add", "path": "a", "value": 1}], "not a JSON Pointer"),
        ([{"op": "jump", "path": "/a"}], "unknown op"),
        ([{"op": "add", "path": "/a"}], "has no value"),
    ],
)
def test_a_bad_patch_raises_and_changes_nothing(ops: list[dict], message: str) -> None:
    doc = {"a": 1, "list": [0]}
    with pytest.raises(PatchError, match=message):
        apply_patch(doc, [{"op": "add", "path": "/b", "value": 1}, *ops])
    assert doc == {"a": 1, "list": [0]}
