"""The foundation's acceptance story, end to end through the real openai client, SQLite and Chroma."""

from __future__ import annotations

import json
import shutil

import pytest

from agent_core.chat.agent import ChatAgent
from agent_core.cli.main import main as cli_main
from agent_core.lab import Lab


def ask(lab: Lab, text: str, profile: str = "default", mode: str | None = None) -> str:
    agent = ChatAgent(lab, profile, memory_mode=mode)
    conv = lab.conversations.create(profile).id  # a new conversation each time: no transcript carries over
    result = agent.turn(conv, text)
    assert result.error is None, result.error
    lab.background.flush()
    return result.reply


@pytest.mark.parametrize("mode", ["hot_path", "background", "both"])
def test_remembers_where_ada_lives_across_conversations(lab: Lab, mode: str) -> None:
    ask(lab, "My name is Ada and I live in Paris.", mode=mode)
    assert "Paris" in ask(lab, "Where do I live?", mode=mode)
    assert "Paris" not in ask(lab, "Where do I live?", profile="bob", mode=mode)
    assert lab.store.recall("bob", "Paris") == []


def test_off_mode_remembers_nothing(lab: Lab) -> None:
    ask(lab, "My name is Ada and I live in Paris.", mode="off")
    assert "don't know" in ask(lab, "Where do I live?", mode="off")
    assert lab.store.list("default") == []


def test_move_supersedes_and_keeps_history(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    ask(lab, "My name is Ada and I live in Paris.")
    ask(lab, "I moved to Berlin.")
    assert "Berlin" in ask(lab, "Where do I live?")
    lab.close()
    assert (
        cli_main(
            [
                "memory",
                "list",
                "--data-dir",
                str(lab.data_dir),
                "--embedder",
                "hash-256",
                "--history",
                "--json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    by_content = {r["content"]: r for r in rows if r["kind"] == "semantic"}
    assert by_content["Lives in Paris"]["valid_to"] is not None
    assert by_content["Lives in Paris"]["superseded_by"] == by_content["Lives in Berlin"]["id"]
    assert by_content["Lives in Berlin"]["valid_to"] is None


def test_chinese_is_stored_and_recalled(lab: Lab) -> None:
    ask(lab, "我叫李雷，我住在上海。", mode="hot_path")
    assert {m.content for m in lab.store.list("default", "semantic")} >= {"名字是李雷", "住在上海"}
    assert "上海" in ask(lab, "我住在哪里？", mode="hot_path")


def test_deleted_chroma_folder_is_rebuilt_from_sqlite(tmp_path, settings) -> None:  # noqa: ANN001
    lab = Lab(tmp_path / "d", settings)
    lab.warm_up()
    ask(lab, "My name is Ada and I live in Paris.", mode="hot_path")
    n = len(lab.store.list("default"))
    lab.close()
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # what a fresh process would see
    shutil.rmtree(tmp_path / "d" / "chroma")
    lab2 = Lab(tmp_path / "d", settings)
    report = lab2.warm_up()
    assert report.embedded == n
    hits = lab2.store.recall("default", "Which city is home?", k=3)
    assert any(h.parts.dense_rank is not None and "Paris" in h.memory.content for h in hits)
    assert "Paris" in ask(lab2, "Where do I live?", mode="hot_path")
    lab2.close()


def test_orphan_vectors_are_deleted_at_start(lab: Lab) -> None:
    ask(lab, "My name is Ada.", mode="hot_path")
    lab.store.index.upsert("default", "semantic", ["ghost"], [[0.1] * 256])
    report = lab.store.reconcile()
    assert report.orphans_deleted == 1
    assert "ghost" not in lab.store.index.ids("default", "semantic")


def test_recall_records_every_score_part(lab: Lab) -> None:
    ask(lab, "My name is Ada and I live in Paris. I love jazz.", mode="hot_path")
    hits = lab.store.recall("default", "where do I live", k=3)
    top = hits[0]
    assert top.memory.content == "Lives in Paris"
    parts = top.parts.as_dict()
    assert set(parts) >= {"relevance", "recency", "importance", "score", "dense_similarity", "lexical_rank"}
    w = lab.store.weights
    assert parts["recency_weight"] == pytest.approx(w.recency * w.past_recency)  # not about "now"
    assert top.score == pytest.approx(
        w.relevance * parts["relevance"]
        + w.speaker * parts["speaker"]
        + parts["recency_weight"] * parts["recency"]
        + w.importance * parts["importance"]
    )
    now = lab.store.recall("default", "where do I live now", k=1)[0].parts
    assert now.recency_weight == pytest.approx(w.recency)


def test_feedback_marks_episode_and_versions_instructions(lab: Lab) -> None:
    agent = ChatAgent(lab, memory_mode="hot_path")
    conv = lab.conversations.create("default").id
    res = agent.turn(conv, "Tell me about gardening in spring")
    out = lab.feedback(res.message_id, -1, "too long, be concise")
    assert out["instructions"]["version"] == 2
    assert any(line.startswith("+Keep answers short") for line in out["instructions"]["diff"])
    versions = lab.procedural.versions("default", "assistant")
    assert [v.version for v in versions] == [1, 2]
    lab.procedural.rollback("default", "assistant", 1)
    assert lab.procedural.current("default", "assistant").text == versions[0].text
    up = agent.turn(conv, "How do I repot a cactus?")
    assert lab.feedback(up.message_id, 1)["episodes"] == 1
