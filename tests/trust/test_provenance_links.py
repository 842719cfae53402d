"""Provenance both ways: a message → its memories; a memory → its turn and the extraction call."""

from __future__ import annotations

from agent_core.chat.agent import ChatAgent
from agent_core.lab import Lab
from agent_core.runtime.provenance import memories_from_message, memory_provenance, write_counts
from agent_core.runtime.runs import Run, list_runs


def test_background_memory_links_to_turn_extraction_call_and_job(lab: Lab) -> None:
    conv = lab.conversations.create("ada").id
    res = ChatAgent(lab, "ada", memory_mode="background").turn(conv, "I live in Lisbon.")
    assert lab.background.flush(20)
    mems = [m for m in memories_from_message(lab.engine, res.user_message_id) if m.kind == "semantic"]
    assert [m.content for m in mems] == ["Lives in Lisbon"]
    assert [m.id for m in memories_from_message(lab.engine, res.message_id)] == [
        m.id for m in memories_from_message(lab.engine, res.user_message_id)
    ]
    prov = memory_provenance(lab.engine, mems[0].id)
    assert prov is not None and prov.run is not None and prov.run.id == res.run_id
    assert [m.role for m in prov.messages] == ["user", "assistant"]
    assert prov.messages[0].content == "I live in Lisbon."
    ex = prov.extraction
    assert ex is not None and ex.run_kind == "memory" and ex.purpose == "memory.extract"
    assert "I live in Lisbon." in str(ex.messages) and ex.model and ex.prompt_tokens > 0
    assert prov.job is not None and prov.job.status == "done"
    # the extraction run is filed under the profile (so forgetting the profile removes it)
    mem_runs = list_runs(lab.engine, profile="ada", kind="memory")
    assert ex.run_id in {r.id for r in mem_runs}
    assert write_counts(lab.engine, res.run_id)["stored"] == 1


def test_hot_path_memory_points_at_the_call_that_saved_it(lab: Lab) -> None:
    conv = lab.conversations.create("ada").id
    res = ChatAgent(lab, "ada", memory_mode="hot_path").turn(conv, "My name is Ada.")
    mem = next(m for m in memories_from_message(lab.engine, res.message_id) if m.kind == "semantic")
    prov = memory_provenance(lab.engine, mem.id)
    assert prov is not None and prov.extraction is not None
    assert prov.extraction.run_id == res.run_id and prov.extraction.run_kind == "chat"
    assert prov.as_dict()["messages"][0]["content"] == "My name is Ada."
    assert write_counts(lab.engine, res.run_id) == {
        "stored": 1,
        "discarded": 0,
        "noop": 0,
        "flagged": 0,
        "invalidated": 0,
    }
    assert isinstance(prov.run, Run)


def test_discarded_facts_are_counted_on_the_turn(lab: Lab) -> None:
    lab.writer.quality.min_importance = 0.8  # "Likes" facts have importance 0.55
    conv = lab.conversations.create("ada").id
    res = ChatAgent(lab, "ada", memory_mode="hot_path").turn(conv, "My name is Ada and I love sushi.")
    counts = write_counts(lab.engine, res.run_id)
    assert counts["stored"] == 1 and counts["discarded"] == 1
