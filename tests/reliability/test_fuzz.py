"""Property-based fuzzing of every parser that reads untrusted input.

No crash (only the documented error type), no hang (a deadline per example), and the error
message names the bad part. Example counts are small so the module stays within a few seconds;
`--hypothesis-seed` and HYPOTHESIS_PROFILE=fuzz (500 examples each) dig deeper.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from agent_core.genui.sanitizer import sanitize_html
from agent_core.memlab.importers import DatasetFormatError, load_locomo, load_longmemeval
from agent_core.runtime.llm import LLMError, ToolCall
from agent_core.runtime.settings import ProviderSettings, Settings
from agent_core.sheet.csvio import import_csv
from agent_core.sheet.errors import SheetSpecError
from agent_core.sheet.spec import parse_spec
from agent_core.simulator import SimConfig
from memory.prompts import MemoryLLMError, clean_fact, parse_json_object
from memory.transfer import FORMAT, ImportFileError, import_profile

settings.register_profile("ci", max_examples=60, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "fuzz", max_examples=500, deadline=2000, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=4),
    max_leaves=25,
)


def keyed(keys: list[str]) -> st.SearchStrategy[dict]:
    """Objects that mostly use the real field names, with random values (reaches deep code)."""
    return st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), json_values, max_size=len(keys) + 1)


LOCOMO_TURN = keyed(["speaker", "dia_id", "text", "img_url", "blip_caption"])
LOCOMO = st.lists(
    st.fixed_dictionaries(
        {
            "sample_id": json_values,
            "conversation": st.dictionaries(
                st.sampled_from(["speaker_a", "speaker_b", "session_1", "session_1_date_time", "session_2"]),
                st.lists(LOCOMO_TURN, max_size=3) | json_values,
                max_size=5,
            ),
        },
        optional={
            "qa": st.lists(
                keyed(["question", "answer", "evidence", "category", "adversarial_answer"]), max_size=3
            )
            | json_values
        },
    )
    | json_values,
    max_size=3,
)
LME = st.lists(
    keyed(
        [
            "question_id",
            "question_type",
            "question",
            "answer",
            "question_date",
            "haystack_dates",
            "haystack_session_ids",
            "answer_session_ids",
        ]
    ).flatmap(
        lambda d: (
            st.just(d)
            | st.builds(
                lambda s: {**d, "haystack_sessions": s},
                st.lists(st.lists(keyed(["role", "content", "has_answer"]), max_size=3), max_size=3),
            )
        )
    )
    | json_values,
    max_size=3,
)


@given(LOCOMO | json_values.filter(lambda v: not isinstance(v, str)))  # a str is a path
def test_locomo_importer(data: object) -> None:
    try:
        ds = load_locomo(data)
    except DatasetFormatError as exc:
        assert "list" in str(exc) or "JSON" in str(exc), exc
        return
    for p in ds.problems:  # every skipped part says which record and field
        assert isinstance(p.index, int) and p.message


@given(LME | json_values.filter(lambda v: not isinstance(v, str)))
def test_longmemeval_importer(data: object) -> None:
    try:
        ds = load_longmemeval(data)
    except DatasetFormatError:
        return
    assert all(p.message for p in ds.problems)


@given(st.binary(max_size=200))
def test_importers_read_any_bytes(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "data.json"
        path.write_bytes(raw)
        for load in (load_locomo, load_longmemeval):
            try:
                load(path)
            except DatasetFormatError as exc:
                assert "data" in str(exc), exc  # names the file


COLUMN = keyed(["name", "type", "prompt", "options", "depends_on", "model"])


@given(st.lists(COLUMN | json_values, max_size=4) | json_values)
def test_sheet_spec(data: object) -> None:
    try:
        cols = parse_spec(data, input_columns=["company"])
    except SheetSpecError as exc:
        assert str(exc).startswith(("spec", "column")), exc
        return
    assert all(c.name for c in cols)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.binary(max_size=300).map(repr))
def test_sheet_csv(content: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "in.csv"
        path.write_text(content, encoding="utf-8")
        try:
            sheet = import_csv(path)
        except SheetSpecError as exc:
            assert "in.csv" in str(exc), exc
            return
        assert sheet.columns


@given(st.binary(max_size=200))
def test_sheet_csv_bytes(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "in.csv"
        path.write_bytes(raw)
        try:
            import_csv(path)
        except SheetSpecError as exc:
            assert "in.csv" in str(exc), exc


@pytest.fixture(scope="module")
def lab() -> Iterator:
    from agent_core.lab import Lab
    from labkit import make_settings

    with tempfile.TemporaryDirectory() as d:
        lab = Lab(Path(d) / "data", make_settings())
        lab.warm_up()
        yield lab
        lab.close()


MEMORY = keyed(["id", "kind", "content", "valid_from", "valid_to", "created_at", "slot", "importance"])
EXPORT = st.fixed_dictionaries(
    {"format": st.just(FORMAT) | json_values, "version": st.just(1) | json_values},
    optional={
        "memories": st.lists(MEMORY | json_values, max_size=3) | json_values,
        "instructions": st.lists(keyed(["text", "version", "agent"]), max_size=2) | json_values,
        "events": json_values,
    },
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(EXPORT | json_values)
def test_memory_import_file(lab, data: object) -> None:  # noqa: ANN001
    try:
        report = import_profile(lab.store, lab.procedural, data, "fuzz")
    except ImportFileError as exc:
        msg = str(exc)
        assert any(
            w in msg
            for w in ("cannot read", "export", "version", "memories[", "instructions[", "must be a list")
        ), msg
        return
    assert report["added"] >= 0


SETTING_KEYS = sorted(
    {f.name for f in fields(Settings)}
    | {f.name for f in fields(ProviderSettings)}
    | {f.name for f in fields(SimConfig)}
)


@given(keyed(SETTING_KEYS) | json_values)
@example({"recall_k": float("inf"), "provider": {"max_retries": float("-inf")}})  # found by fuzzing
def test_settings_from_json(data: object) -> None:
    if not isinstance(data, dict):
        with pytest.raises(ValueError, match="JSON object"):
            Settings.from_json(data)  # type: ignore[arg-type]
        return
    for extra in ({}, {"provider": {**data, "api_key": "sk-SECRET"}}, {"sim": data}):
        s = Settings.from_json({**data, **extra})
        assert isinstance(s.validate(), list)
        assert "sk-SECRET" not in json.dumps(s.to_json())  # a key never lands in settings.json


@given(st.text(max_size=80) | json_values.map(json.dumps))
def test_tool_arguments(raw: str) -> None:
    try:
        args = ToolCall("c1", "save_memory", raw).parsed()
    except LLMError as exc:
        assert exc.kind == "bad_tool_json" and "save_memory" in str(exc)
        return
    assert isinstance(args, dict)
    for f in args.get("facts", []) if isinstance(args.get("facts"), list) else []:
        fact = clean_fact(f)
        assert fact is None or (fact["content"] and 0 <= fact["importance"] <= 1)


@given(json_values)
def test_clean_fact(raw: object) -> None:
    fact = clean_fact(raw)
    assert fact is None or (fact["content"].strip() and 0.0 <= fact["confidence"] <= 1.0)


@given(st.text(max_size=120) | json_values.map(json.dumps))
def test_parse_json_object(raw: str) -> None:
    try:
        assert isinstance(parse_json_object(raw, "consolidation"), dict)
    except MemoryLLMError as exc:
        assert str(exc).startswith("consolidation:"), exc


TAGS = st.sampled_from(["script", "a", "img", "b", "style", "iframe", "svg", "p", "table", "td", "math"])
ATTRS = st.sampled_from(["href", "src", "onclick", "onerror", "style", "class", "xlink:href"])
URLS = st.sampled_from(
    ["javascript:alert(1)", " JaVaScRiPt:x", "data:text/html,x", "https://ok.example", "vbscript:x"]
)
HTML = st.lists(
    st.one_of(
        st.text(max_size=20),
        st.builds(lambda t, a, u, c: f'<{t} {a}="{u}">{c}</{t}>', TAGS, ATTRS, URLS, st.text(max_size=10)),
        st.builds(lambda t: f"<{t}", TAGS),
    ),
    max_size=8,
).map("".join)


@given(HTML)
def test_sanitize_html(markup: str) -> None:
    out = sanitize_html(markup).lower()
    tags = re.findall(r"<[a-z][^>]*>", out)  # text may mention anything; tags and attributes may not
    assert not any(t.startswith(("<script", "<iframe", "<style")) for t in tags), tags
    assert not any(re.search(r"(javascript|vbscript):|data:text/html|\son\w+=", t) for t in tags), tags
