"""Deletion is verified against the raw files: the audit must find data before and nothing after."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_core.chat.agent import ChatAgent
from agent_core.lab import Lab
from labkit import make_settings


def _chat(lab: Lab, profile: str, *texts: str) -> None:
    conv = lab.conversations.create(profile).id
    agent = ChatAgent(lab, profile, memory_mode="both")
    for t in texts:
        agent.turn(conv, t)
    assert lab.background.flush(20)


def test_profile_audit_finds_data_before_and_nothing_after_forget(tmp_path) -> None:  # noqa: ANN001
    # Chroma runs in a child process, as in the desktop app: in-process, its HNSW files can be
    # persisted with uninitialised heap bytes that happen to hold this process's strings.
    lab = Lab(tmp_path / "d", make_settings(), chroma_process=True)
    lab.warm_up()
    try:
        _forget_and_audit(lab)
    finally:
        lab.close()


def _forget_and_audit(lab: Lab) -> None:
    _chat(lab, "zeb", "My name is Zebulon and I live in Quixotetown.", "I work as a lamplighter.")
    _chat(lab, "ada", "My name is Ada.")
    before = lab.audit(profile="zeb", texts=["Quixotetown", "Zebulon"])
    assert not before.clean
    wheres = {h.where for h in before.failures}
    assert {"memory.content", "message.content", "step.input_json", "memoryevent.new"} <= wheres
    assert any(w.startswith("lab.sqlite3") for w in wheres)
    out = lab.forget_profile("zeb")
    assert out["audit"] is not None and out["audit"]["clean"], out["audit"]["failures"]
    assert len(out["audit"]["needles"]) >= 4 and out["audit"]["files_scanned"] >= 2
    after = lab.audit(profile="zeb", texts=["Quixotetown", "Zebulon", "lamplighter"])
    assert after.clean, after.failures
    assert [m.content for m in lab.store.list("ada", "semantic")] == ["Name is Ada"]  # others untouched


def test_single_memory_delete_is_verified(lab: Lab) -> None:
    _chat(lab, "ada", "I love marzipanfrosting.", "My name is Ada.")
    mem = next(m for m in lab.store.list("ada", "semantic") if "marzipan" in m.content)
    before = lab.audit(texts=[mem.content], ids=[mem.id])
    assert {h.where for h in before.failures} >= {"memory.content", "memory.id", "memory_fts.mid"}
    report = lab.delete_memory_verified(mem.id)
    assert report.clean, report.failures
    # the user's own words stay in the conversation and its trace (reported, not a failure)
    assert {h.scope for h in report.structured} <= {"trace", "conversation", "tombstone"}
    assert lab.store.get(mem.id) is None and lab.store.list("ada", "semantic")


def test_cli_audit_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from agent_core.cli.main import main

    common = ["--data-dir", str(tmp_path / "d"), "--embedder", "hash-256", "--profile", "zed"]
    assert main(["chat", *common, "I live in Quuxtown."]) == 0
    capsys.readouterr()
    assert main(["memory", "audit", *common, "--text", "Quuxtown"]) == 1
    assert "FOUND" in capsys.readouterr().out
    assert main(["memory", "forget", *common, "--yes"]) == 0
    assert "audit: clean" in capsys.readouterr().out
    assert main(["memory", "audit", *common, "--text", "Quuxtown"]) == 0
    assert capsys.readouterr().out.startswith("clean")
