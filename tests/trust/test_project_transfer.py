"""Whole-project export/import: lossless, idempotent, no secrets; bad files change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_core.chat.agent import ChatAgent
from agent_core.lab import Lab
from agent_core.runtime.settings import Settings
from agent_core.simulator import SimConfig
from memory.transfer import ImportFileError, export_profile
from memory.transfer_project import PROJECT_FORMAT, export_project, import_any


def _fill(lab: Lab) -> None:
    for profile, texts in {
        "ada": ["My name is Ada.", "I live in Paris.", "I moved to Berlin."],
        "bob": ["I work as a baker."],
    }.items():
        conv = lab.conversations.create(profile).id
        for t in texts:
            ChatAgent(lab, profile, memory_mode="hot_path").turn(conv, t)
    lab.procedural.commit("ada", "assistant", "Be brief.", reason="test")


def _snapshot(lab: Lab, profile: str) -> list[tuple]:
    return sorted(
        (m.id, m.kind, m.content, m.slot, m.valid_to is None, m.superseded_by, m.importance, m.source_text)
        for m in lab.store.list(profile, include_history=True)
    )


@pytest.fixture
def other(tmp_path: Path):  # noqa: ANN201 - Lab
    lab = Lab(tmp_path / "other", Settings(embedder="hash-256", sim=SimConfig.instant(), debounce_s=0.05))
    lab.warm_up()
    yield lab
    lab.close()


def test_project_round_trip_is_lossless_idempotent_and_secret_free(
    lab: Lab, other: Lab, tmp_path: Path
) -> None:
    _fill(lab)
    lab.settings.provider.api_key = "sk-test-secret-123456"
    data = export_project(lab.store, lab.procedural, settings=lab.settings.to_json())
    f = tmp_path / "project.json"
    f.write_text(json.dumps(data, default=str))
    assert "sk-test-secret" not in f.read_text() and data["format"] == PROJECT_FORMAT
    assert set(data["profiles"]) == {"ada", "bob"} and data["vectors"]["included"] is False
    first = import_any(other.store, other.procedural, f)
    again = import_any(other.store, other.procedural, f)
    assert first["kind"] == "project" and first["added"] == sum(
        len(p["memories"]) for p in data["profiles"].values()
    )
    assert again["added"] == 0 and again["skipped"] == first["added"]
    for profile in ("ada", "bob"):
        assert _snapshot(other, profile) == _snapshot(lab, profile)
    # Imported instructions wait as a proposal: a file never changes what the agent obeys by itself.
    assert other.procedural.current("ada", "assistant").text != "Be brief."
    proposed = [v for v in other.procedural.versions("ada", "assistant") if v.text == "Be brief."]
    assert proposed and not proposed[0].active
    other.procedural.rollback("ada", "assistant", proposed[0].version)  # the user accepts it
    assert other.procedural.current("ada", "assistant").text == "Be brief."
    assert "Berlin" in other.store.recall("ada", "where do I live", k=1)[0].memory.content  # vectors rebuilt
    # a profile file still imports (into the profile asked for)
    single = import_any(
        other.store, other.procedural, export_profile(lab.store, lab.procedural, "bob"), "carol"
    )
    assert single["kind"] == "profile" and single["added"] >= 1


def test_conflicts_are_reported(lab: Lab, other: Lab) -> None:
    _fill(lab)
    conv = other.conversations.create("ada").id
    ChatAgent(other, "ada", memory_mode="hot_path").turn(conv, "I live in Rome.")
    report = import_any(other.store, other.procedural, export_project(lab.store, lab.procedural))
    assert {
        "slot": "location",
        "existing": "Lives in Rome",
        "imported": "Lives in Berlin",
        "profile": "ada",
    } in report["conflicts"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=2), "format version 2"),
        (lambda d: d.update(profiles=[1]), "'profiles' must be an object"),
        (lambda d: d["profiles"]["bob"].update(version=7), "profile 'bob': this file is format version 7"),
        (lambda d: d["profiles"]["bob"]["memories"].append({"id": "x", "kind": "semantic"}), "profile 'bob'"),
        (lambda d: d.update(format="zip"), "not a memory export"),
    ],
)
def test_bad_project_files_are_refused_and_change_nothing(lab: Lab, other: Lab, mutate, message: str) -> None:  # noqa: ANN001
    _fill(lab)
    data = json.loads(json.dumps(export_project(lab.store, lab.procedural), default=str))
    mutate(data)
    before = (_snapshot(other, "ada"), _snapshot(other, "bob"))
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(")):
        import_any(other.store, other.procedural, data)
    assert (_snapshot(other, "ada"), _snapshot(other, "bob")) == before


def test_unreadable_file_is_refused(other: Lab, tmp_path: Path) -> None:
    f = tmp_path / "bad.json"
    f.write_text("{not json")
    with pytest.raises(ImportFileError, match="cannot read"):
        import_any(other.store, other.procedural, f)
