"""Ambient agents without Qt: triage rules, exactly-once after a crash, forks, a quieter inbox, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_core.ambient import AmbientAgent, AmbientHub, CalendarSource, EmailSource, Event, EventStream
from agent_core.ambient.inbox import ask_rate
from agent_core.runtime.runs import load_run
from memory.clock import ManualClock

EMAILS = {e.id: e for e in EmailSource().events()}


def hub_for(lab, *kinds: str, mode: str = "hot_path") -> AmbientHub:  # noqa: ANN001
    return AmbientHub(lab, [AmbientAgent(k, k, "p1", mode) for k in kinds])


def test_triage_defaults_rules_and_facts(lab) -> None:  # noqa: ANN001
    hub = hub_for(lab, "triage")
    hub.deliver(EMAILS["e001"])  # newsletter → notify by default
    hub.deliver(EMAILS["e026"])  # spam → ignored
    items = hub.inbox.items()
    assert [it.event_id for it in items] == ["e001"]
    assert items[0].kind == "notify" and items[0].allow_respond and not items[0].allow_accept
    # A rule in procedural memory makes newsletters ignored; a fact makes the manager's email urgent.
    hub.answer(items[0].id, {"type": "ignore", "always": True})
    assert "- Always ignore newsletters." in lab.procedural.current("p1", "triage").text
    hub.deliver(EMAILS["e002"])
    assert not hub.inbox.items()
    lab.writer.write("p1", [{"content": "Priya is my manager", "slot": "note", "value": "Priya",
                             "importance": 0.8, "confidence": 0.9}], mode="manual")  # fmt: skip
    hub.deliver(EMAILS["e058"])  # Priya's spec feedback
    (item,) = hub.inbox.items()
    assert item.priority == 3 and "manager" in item.description


def test_review_edit_keeps_types_and_sends_once(lab) -> None:  # noqa: ANN001
    hub = hub_for(lab, "scheduler")
    cal = CalendarSource().events()
    hub.deliver(cal[0])
    (item,) = hub.inbox.items()
    assert item.kind == "review" and item.allow_accept and item.allow_edit
    args = item.action_request["args"]
    assert isinstance(args["duration_min"], int)
    with pytest.raises(ValueError):
        hub.record_answer(item.id, {"type": "edit", "args": {**args, "duration_min": "soon"}})
    hub.answer(item.id, {"type": "edit", "args": {**args, "duration_min": "25", "send_invite": "false"}})
    (action,) = hub.actions("scheduler")
    sent = json.loads(action.args_json)
    assert (
        sent["duration_min"] == 25 and sent["send_invite"] is False and sent["attendees"] == args["attendees"]
    )
    with pytest.raises(ValueError, match="already"):
        hub.answer(item.id, {"type": "accept"})


def test_question_answer_resumes_and_becomes_memory(lab) -> None:  # noqa: ANN001
    hub = hub_for(lab, "researcher")
    hub.deliver(EMAILS["e040"])  # refund question
    (q,) = hub.inbox.items()
    assert q.kind == "question" and not q.allow_edit
    with pytest.raises(ValueError, match="does not allow"):
        hub.answer(q.id, {"type": "accept"})
    assert (
        hub.answer(q.id, {"type": "response", "args": "Annual plans can be refunded within 30 days."})
        == "done"
    )
    run, steps = load_run(lab.engine, q.run_id)
    assert run.status == "done" and [s.kind for s in steps][-3:] == ["llm_call", "tool_call", "output"]
    hub.deliver(EMAILS["e047"])  # another refund question: answered from memory, no new item
    assert hub.inbox.items() == []


def test_exactly_once_after_crash(lab, tmp_path: Path) -> None:  # noqa: ANN001
    from agent_core.lab import Lab
    from labkit import make_settings

    events = [EMAILS[k] for k in ("e001", "e026", "e032", "e040", "e050")]
    hub = hub_for(lab, "triage", "researcher")
    hub.pause("researcher")  # its runs stop at the first step boundary: "crash" with work unfinished
    for e in events[:3]:
        hub.deliver(e)
    del hub
    lab.close()
    lab2 = Lab(lab.data_dir, make_settings())  # reopen the same database
    lab2.warm_up()
    try:
        hub2 = hub_for(lab2, "triage", "researcher")
        resumed = hub2.recover()
        assert len(resumed) == 3  # the paused researcher runs
        for e in events:  # the stream is delivered again, whole
            hub2.deliver(e)
        runs = hub2.runs()
        keys = [(r.agent, r.conversation_id) for r in runs if r.parent_run_id is None]
        assert len(keys) == len(set(keys)) == 10
        assert all(r.status in ("done", "waiting") for r in runs)
    finally:
        lab2.close()


def test_pause_takes_effect_at_boundary_and_resume(lab) -> None:  # noqa: ANN001
    hub = hub_for(lab, "triage")
    hub.pause("triage")
    (rid,) = hub.deliver(EMAILS["e050"])
    run, steps = load_run(lab.engine, rid)
    assert run.status == "paused" and steps == []
    assert hub.status("triage") == "paused"
    assert hub.resume("triage") == [rid]
    assert load_run(lab.engine, rid)[0].status == "waiting"


def test_fork_keeps_original_and_reruns_the_rest(lab) -> None:  # noqa: ANN001
    hub = hub_for(lab, "triage")
    (rid,) = hub.deliver(EMAILS["e003"])  # newsletter → notify, waiting
    _, steps = load_run(lab.engine, rid)
    llm = next(s for s in steps if s.kind == "llm_call")
    edited = {**llm.output, "decision": "ignore"}
    fork = hub.rewind(rid, llm.seq, output=edited)
    assert hub.continue_run(fork) == "done"
    orig, orig_steps = load_run(lab.engine, rid)
    new, new_steps = load_run(lab.engine, fork)
    assert orig.status == "stopped" and len(orig_steps) == len(steps)  # still viewable
    assert new.parent_run_id == rid and new.forked_from_step == llm.seq
    assert [s.name for s in new_steps][-1] == "ignored" and new_steps[llm.seq - 1].mode == "edited"
    assert hub.inbox.items() == []  # the original's notification is superseded
    # An instruction instead of an edit: rewind to the memory read, the triage re-runs with it.
    mem = next(s for s in steps if s.kind == "memory_read")
    fork2 = hub.rewind(fork, mem.seq, instruction="Always ignore newsletters.")
    hub.continue_run(fork2)
    _, f2 = load_run(lab.engine, fork2)
    assert [s.name for s in f2][mem.seq :] == ["correction", "learn:correction", "triage", "ignored"]


def test_replay_after_two_rules_is_quieter(lab) -> None:  # noqa: ANN001
    stream = list(EMAILS.values())[:40]  # newsletters, notifications, invoices, spam, meetings
    hub = hub_for(lab, "triage")
    for e in stream:
        hub.deliver(e)
    before = hub.inbox.count_for_events("triage", [e.id for e in stream])
    nl = next(it for it in hub.inbox.items() if it.event_id == "e001")
    note = next(it for it in hub.inbox.items() if it.event_id == "e011")
    hub.answer(nl.id, {"type": "ignore", "always": True})
    hub.answer(note.id, {"type": "response", "args": "Never notify me about notifications."})
    replay = [e.replayed("r2") for e in stream]
    for e in replay:
        hub.deliver(e)
    after = hub.inbox.count_for_events("triage", [e.id for e in replay])
    rate = ask_rate(lab.engine, "triage")
    print(f"\ninbox items for the same {len(stream)} emails: before rules {before}, after {after}; "
          f"asks per event: {[round(w.rate, 2) for w in rate.windows]}")  # fmt: skip
    assert after <= before - 15, (before, after)
    assert rate.windows[0].rate > rate.windows[-1].rate and rate.held == 0


def test_a_pause_is_not_counted_as_asking_less(lab) -> None:  # noqa: ANN001
    """Events a paused agent has not handled are held, not windows with zero asks."""
    hub = hub_for(lab, "triage")
    for k in ("e001", "e011"):
        hub.deliver(EMAILS[k])
    asked = ask_rate(lab.engine, "triage")
    assert [(w.events, w.asks) for w in asked.windows] == [(2, 2)] and asked.held == 0
    hub.pause("triage")
    later = [e for k, e in EMAILS.items() if k not in ("e001", "e011")][:10]
    for e in later:
        hub.deliver(e)
    paused = ask_rate(lab.engine, "triage")
    assert [(w.events, w.asks) for w in paused.windows] == [(2, 2)] and paused.held == 10
    hub.resume("triage")
    resumed = ask_rate(lab.engine, "triage")
    assert resumed.held == 0 and sum(w.events for w in resumed.windows) == 12


def test_an_answer_can_be_taken_back_until_its_run_resumes(lab) -> None:  # noqa: ANN001
    hub = hub_for(lab, "triage")
    hub.deliver(EMAILS["e001"])
    (item,) = hub.inbox.items()
    hub.record_answer(item.id, {"type": "ignore"})
    assert not hub.inbox.items()
    back = hub.retract_answer(item.id)
    assert back is not None and back.status == "pending" and back.response is None
    assert load_run(lab.engine, item.run_id)[0].status == "waiting"
    hub.answer(item.id, {"type": "ignore"})  # answered again, and this time the run goes on
    assert load_run(lab.engine, item.run_id)[0].status == "done"
    assert hub.retract_answer(item.id) is None  # too late: the agent acted on it


def test_stream_releases_by_clock() -> None:
    clock = ManualClock()
    events = [Event(f"x{i}", "email", {"subject": str(i)}) for i in range(10)]
    stream = EventStream(events, clock, rate=2.0)
    assert stream.poll() == []
    clock.advance(1.0)
    assert [e.id for e in stream.poll()] == ["x0", "x1"]
    stream.set_rate(10.0)
    clock.advance(0.5)
    assert len(stream.poll()) == 5 and stream.remaining == 3


def test_cli_ambient_run_with_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from agent_core.cli.main import main

    events = [EMAILS[k].as_dict() for k in ("e001", "e002", "e040", "e047", "e032")]
    (tmp_path / "events.json").write_text(json.dumps(events))
    (tmp_path / "answers.json").write_text(json.dumps({
        "e001": "always ignore", "question": "Refunds are possible within 30 days.", "review": "accept",
    }))  # fmt: skip
    argv = ["ambient", "run", "--events", str(tmp_path / "events.json"), "--answers",
            str(tmp_path / "answers.json"), "--data-dir", str(tmp_path / "d"), "--json"]  # fmt: skip
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    kinds = {(r["event_id"], r["kind"], r["event"]) for r in out["inbox"]}
    assert ("e001", "notify", "answered") in kinds and ("e040", "question", "answered") in kinds
    assert {a["action"] for a in out["actions"]} >= {"send_email", "save_answer"}
    assert main(argv) == 0  # same data dir: nothing is processed twice
    again = json.loads(capsys.readouterr().out)
    assert again["skipped_already_processed"] == 10 and again["inbox"] == []


def test_inbox_pages_read_an_index_and_old_databases_get_it(tmp_path: Path) -> None:
    """A page of the inbox and the per-agent counts walk an index (no sort of every pending item),
    and a database made before the indexes existed gets them when it is opened."""
    from sqlalchemy import event, text

    from agent_core.ambient.inbox import Inbox, create_ambient_tables
    from memory.db import make_engine, sqlite_url

    engine = make_engine(sqlite_url(tmp_path))
    create_ambient_tables(engine)
    with engine.begin() as c:  # as an older version left it
        c.execute(text("DROP INDEX ix_ambient_item_queue"))
        c.execute(text("DROP INDEX ix_ambient_item_agent_queue"))
    engine.dispose()
    engine = make_engine(sqlite_url(tmp_path))  # opened again, by a newer version
    create_ambient_tables(engine)
    plans: list[str] = []

    def record(_conn, _cursor, statement: str, *_a) -> None:  # noqa: ANN001
        if statement.lstrip().startswith("SELECT"):
            plans.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    inbox = Inbox(engine)
    inbox.items(limit=300)
    inbox.items(agent="triage", limit=300)
    inbox.counts()
    event.remove(engine, "before_cursor_execute", record)
    assert len(plans) == 3
    with engine.connect() as c:
        for sql in plans:
            raw = c.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", (None,) * sql.count("?"))  # not run
            steps = " | ".join(r[-1] for r in raw)
            assert "USING" in steps and "INDEX" in steps and "TEMP B-TREE" not in steps, (sql, steps)
    engine.dispose()


def test_background_lessons_are_a_persisted_memory_job(lab) -> None:  # noqa: ANN001
    """Ambient's background memory is a MemoryJob like chat's: acknowledged (persisted) when the
    person answers, written by the debounced worker, filed on the run, and never queued twice
    when the run is resumed or replayed."""
    from sqlmodel import Session, select

    from memory.models import MemoryJob

    hub = hub_for(lab, "triage", mode="background")
    (rid,) = hub.deliver(EMAILS["e001"])  # newsletter → notify, waiting for the person
    (item,) = hub.inbox.items()
    hub.answer(item.id, {"type": "response", "args": "Priya is my manager. Always ignore newsletters."})

    def jobs() -> list[MemoryJob]:
        with Session(lab.engine) as s:
            return list(s.exec(select(MemoryJob).where(MemoryJob.namespace == "p1")))

    (job,) = jobs()
    assert job.agent == "triage" and "Priya is my manager." in job.payload_json
    assert "- Always ignore newsletters." in lab.procedural.current("p1", "triage").text  # at the run's end
    assert lab.background.flush(10)
    assert "Priya is my manager." in [m.content for m in lab.store.list("p1", "semantic")]
    _, steps = load_run(lab.engine, rid)
    names = [s.name for s in steps]
    assert "learn (queued)" in names and "background memory" in names  # the write is filed on the run
    hub.continue_run(rid)  # a finished run is not run again: still one job
    assert len(jobs()) == 1
