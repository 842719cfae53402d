"""Bad input a tester found: each gives a clear message (or is repaired), never a traceback.

Settings values fall back per field, memory imports repair bad fields, a lone surrogate is
replaced, sheet files name what is wrong, and a damaged Chroma folder or SQLite file is handled
without touching the user's data.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent_core.chat.agent import ChatAgent
from agent_core.cli.main import main
from agent_core.runtime.runs import list_runs
from agent_core.runtime.settings import Settings
from agent_core.sheet.csvio import import_csv
from agent_core.sheet.errors import SheetSpecError
from agent_core.sheet.spec import load_spec
from labkit import make_settings
from memory.transfer import FORMAT, import_profile

BAD_SETTINGS = {"memory_mode": "nope", "embedder": "bogus", "provider": {"max_retries": -5}, "policy": "nope"}


def _data_dir(tmp_path: Path, **extra: object) -> Path:
    """A data dir with fast settings (hash embedder, instant simulator) plus `extra` on top."""
    data = tmp_path / "data"
    data.mkdir()
    d = make_settings().to_json()
    for key, value in extra.items():
        d[key] = {**d[key], **value} if isinstance(value, dict) else value
    (data / "settings.json").write_text(json.dumps(d))
    return data


# -- 1. settings.json with bad values ----------------------------------------------------------


def test_bad_settings_fall_back_per_field_and_leave_the_file(tmp_path: Path) -> None:
    data = _data_dir(tmp_path, recall_k=7, **BAD_SETTINGS)
    before = (data / "settings.json").read_bytes()
    s = Settings.load(data)
    assert (s.memory_mode, s.embedder, s.provider.max_retries, s.policy) == (
        "background",
        "minilm",
        2,
        "supersede",
    )
    assert s.recall_k == 7 and s.validate() == []  # good fields are kept
    assert (
        "memory_mode 'nope' is not one of hot_path, background, both, off; using 'background'" in s.problems
    )
    assert any(p.startswith("embedder 'bogus'") for p in s.problems)
    assert any(p.startswith("provider.max_retries -5") for p in s.problems)
    assert any(p.startswith("policy 'nope'") for p in s.problems)
    assert (data / "settings.json").read_bytes() == before
    assert "problems" not in s.to_json()


@pytest.mark.parametrize(
    ("d", "field"),
    [
        ({"provider": {"timeout_s": 0}}, "provider.timeout_s"),
        ({"provider": {"kind": "gpt"}}, "provider.kind"),
        ({"provider": {"max_retries": 11}}, "provider.max_retries"),
        ({"recall_k": 0}, "recall_k"),
        ({"recall_k": 101}, "recall_k"),
        ({"w_recency": 11}, "w_recency"),
        ({"w_importance": -1}, "w_importance"),
        ({"debounce_s": -1}, "debounce_s"),
        ({"embedder": "hash-x"}, "embedder"),
        ({"recall_k": "five"}, "recall_k"),
    ],
)
def test_each_rule_replaces_only_its_field(d: dict, field: str) -> None:
    s = Settings.from_json(d)
    assert len(s.problems) == 1 and s.problems[0].startswith(field + " ")
    assert s.validate() == []


@pytest.mark.parametrize("embedder", ["minilm", "hash", "hash-64", "openai", "openai:text-embedding-3-large"])
def test_valid_embedders_are_kept(embedder: str) -> None:
    s = Settings.from_json({"embedder": embedder})
    assert s.embedder == embedder and s.problems == []


def test_cli_warns_about_bad_settings_and_keeps_going(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data_dir(tmp_path, **BAD_SETTINGS)
    assert main(["memory", "list", "--data-dir", str(data), "--embedder", "hash-64"]) == 0
    err = capsys.readouterr().err
    assert "settings.json: memory_mode 'nope' is not one of" in err and "using 'background'" in err
    assert "policy 'nope'" in err and "provider.max_retries -5" in err


def test_lab_starts_with_bad_settings(tmp_path: Path) -> None:
    """The desktop app's path: Settings.load, then Lab (which checks the policy and embedder)."""
    from agent_core.lab import Lab

    data = _data_dir(tmp_path, **BAD_SETTINGS)
    lab = Lab(data, Settings.load(data))
    assert lab.writer.policy == "supersede"
    lab.close()


# -- 2. memory import -----------------------------------------------------------------------------


def _export(*memories: dict) -> dict:
    return {"format": FORMAT, "version": 1, "profile": "default", "memories": list(memories)}


def _mem(mid: str, **fields: object) -> dict:
    return {"id": mid, "content": f"fact {mid}", "kind": "semantic", **fields}


def test_import_repairs_bad_fields(lab, tmp_path: Path) -> None:  # noqa: ANN001
    body = json.dumps(
        _export(
            _mem("naive", valid_from="2024-01-01T10:00:00"),
            _mem("huge", importance=int("9" * 400)),
            _mem("nan", importance=float("nan")),
            _mem("word", importance="high"),
            _mem("inf", importance=float("inf")),
            _mem("surrogate", content="likes \ud800 tea"),
            _mem("baddate", created_at="yesterday"),
            _mem("clamped", importance=1.7, confidence=-3, feedback_score=5),
        )
    ).replace("Infinity", "1e999")  # json.loads reads 1e999 as inf, as in the tester's file
    f = tmp_path / "export.json"
    f.write_text(body, encoding="utf-8")
    report = import_profile(lab.store, lab.procedural, f, "default")
    assert report["added"] == 8 and report["repaired"] == 7
    problems = "\n".join(report["problems"])
    for part in ("... is too large an integer; using 0.5",
                 "memories[2].importance: nan is not a finite number", "memories[3].importance: 'high' is not a number",
                 "memories[4].importance: inf is not a finite number", "memories[5].content: invalid characters",
                 "memories[6].created_at: not an ISO date: 'yesterday'; using the time of import",
                 "memories[7].importance: 1.7 is outside 0..1"):  # fmt: skip
        assert part in problems
    got = {m.id: m for m in lab.store.list("default")}
    assert got["naive"].valid_from.replace(tzinfo=UTC) == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert got["surrogate"].content == "likes \ufffd tea"
    assert all(0 <= m.importance <= 1 and math.isfinite(m.importance) for m in got.values())
    assert (got["clamped"].importance, got["clamped"].confidence, got["clamped"].feedback_score) == (
        1.0,
        0.0,
        1.0,
    )
    assert got["inf"].importance == 0.5
    top = lab.store.recall("default", "fact naive", k=1)[0]
    assert top.memory.id == "naive"  # the 1e999 one no longer comes first for every query


def test_import_keeps_a_thumbs_down(lab) -> None:  # noqa: ANN001
    report = import_profile(lab.store, lab.procedural, _export(_mem("down", feedback_score=-1)), "default")
    assert report["problems"] == [] and lab.store.get("down").feedback_score == -1.0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("[" * 100_000 + "]" * 100_000), "the file is nested too deeply"),
        (lambda p: p.write_bytes(b'{"format": "caf\xe9"}'), "is not UTF-8 text"),
        (lambda p: p.write_text("{nope"), "not valid JSON (line 1, column 2)"),
        (lambda p: p.mkdir(), "is a folder"),
    ],
)
def test_unreadable_import_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make, message: str
) -> None:  # noqa: ANN001
    data = _data_dir(tmp_path)
    f = tmp_path / "export.json"
    make(f)
    assert main(["memory", "import", "--data-dir", str(data), str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot read") and message in err and "\n" not in err


def test_cli_import_lists_repairs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data_dir(tmp_path)
    f = tmp_path / "export.json"
    f.write_text(json.dumps(_export(_mem("word", importance="high"))), encoding="utf-8")
    assert main(["memory", "import", "--data-dir", str(data), str(f)]) == 0
    out = capsys.readouterr().out
    assert "imported 1 memories" in out and "repaired 1" in out and "'high' is not a number" in out


# -- 3. a lone surrogate in a chat message ---------------------------------------------------------


def test_lone_surrogate_in_a_turn_is_replaced(lab) -> None:  # noqa: ANN001
    conv = lab.conversations.create("default").id
    res = ChatAgent(lab, memory_mode="hot_path").turn(conv, "\ud800 hi")
    assert res.error is None and res.reply
    assert lab.conversations.get_message(res.user_message_id).content == "\ufffd hi"


def test_a_retry_of_a_deleted_message_names_it(lab) -> None:  # noqa: ANN001
    conv = lab.conversations.create("default").id
    res = ChatAgent(lab).turn(conv, "hi")
    lab.conversations.delete(conv)  # e.g. from another window, before the retry ran
    runs = len(list_runs(lab.engine, kind="chat"))
    with pytest.raises(LookupError, match=f"no message {res.user_message_id}: it was deleted"):
        ChatAgent(lab).turn(conv, "hi", existing_user_message=res.user_message_id)
    assert len(list_runs(lab.engine, kind="chat")) == runs  # no run was started for it


def test_lone_surrogate_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data_dir(tmp_path)
    assert main(["chat", "--data-dir", str(data), "--json", "\ud800 hi"]) == 0
    assert json.loads(capsys.readouterr().out)


# -- 4. sheet files ----------------------------------------------------------------------------------


def test_spec_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    spec = tmp_path / "latin.json"
    spec.write_bytes(b'[{"name": "caf\xe9"}]')
    with pytest.raises(SheetSpecError, match=r"latin\.json: byte 14 is not valid UTF-8"):
        load_spec(spec)


def test_spec_that_is_a_folder_is_a_clear_cli_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _data_dir(tmp_path)
    (tmp_path / "in.csv").write_text("Company\nAcme\n")
    (tmp_path / "specs").mkdir()
    argv = ["sheet", "run", str(tmp_path / "in.csv"), "--columns", str(tmp_path / "specs"),
            "--out", str(tmp_path / "out.csv"), "--data-dir", str(data)]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "specs is a folder, not a spec file" in err and "Traceback" not in err


def test_unterminated_quote_is_reported_not_merged(tmp_path: Path) -> None:
    f = tmp_path / "in.csv"
    f.write_text('name,note\nAda,"fine\nBob,x\nCy,y\n', newline="")
    with pytest.raises(SheetSpecError, match="in.csv: line 2: unterminated quote"):
        import_csv(f)


@pytest.mark.parametrize("body", ['a,b\n1,"x\ny"\n', 'a,b\n1,"x\ny"', 'a,b\n1,"2"', "a,b\n1,2"])
def test_closed_quotes_still_read(tmp_path: Path, body: str) -> None:
    f = tmp_path / "in.csv"
    f.write_text(body, newline="")
    assert len(import_csv(f)) == 1


# -- 5. damaged storage ------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_chroma_is_moved_aside_and_rebuilt(tmp_path: Path, damage: str) -> None:
    from agent_core.lab import Lab
    from memory.models import Memory

    data = tmp_path / "data"
    # Fill SQLite through another Chroma folder: Chroma caches an opened folder per process, and
    # the damaged one must be opened here for the first time, as in a fresh CLI run.
    first = Lab(data, make_settings(), chroma=str(tmp_path / "other"))
    first.warm_up()
    first.store.add(Memory(namespace="default", content="I live in Lisbon"))
    first.close()
    (data / "chroma").mkdir()
    good = (tmp_path / "other" / "chroma.sqlite3").read_bytes()
    broken = b"\x13not a database\x00" * 400 if damage == "garbage" else good[:40_000]
    (data / "chroma" / "chroma.sqlite3").write_bytes(broken)
    lab = Lab(data, make_settings())
    try:
        report = lab.warm_up()
        assert report.embedded == 1
        assert [r.memory.content for r in lab.store.recall("default", "Lisbon", k=1)] == ["I live in Lisbon"]
        aside = lab.store.index.moved_aside
        assert aside is not None and aside.name.startswith("chroma.corrupt-")
        assert (aside / "chroma.sqlite3").read_bytes() == broken  # kept, never deleted
    finally:
        lab.close()


def test_corrupt_lab_sqlite_is_one_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data_dir(tmp_path)
    db = data / "lab.sqlite3"
    db.write_bytes(b"garbage garbage garbage\n")
    with pytest.raises(SystemExit) as exit_:
        main(["memory", "list", "--data-dir", str(data)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert str(db) in err and "left untouched" in err and "\n" not in err
    assert db.read_bytes() == b"garbage garbage garbage\n"
