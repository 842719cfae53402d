"""The agent engine: the same calls in this process (LocalEngine) or in a child (ProcessEngine)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_core.lab import Lab
from agent_core.runtime.engine import (
    EngineError,
    LocalEngine,
    ProcessEngine,
    Service,
    factory_path,
    lab_service,
    make_engine,
)
from agent_core.sheet import Column
from agent_core.sheet.errors import CellRunError
from agent_core.sheet.llm_runner import EngineCellRunner
from agent_core.simulator import SimConfig
from labkit import EngineProbe, engine_probe, make_settings, recall_here_what_the_child_wrote, wait_for
from memory.index_process import IndexClient, IndexProcessError


@pytest.fixture
def app_lab(tmp_path: Path) -> Iterator[Lab]:
    """A Lab as the desktop app opens it: Chroma in its own process, shareable with the engine."""
    lab = Lab(tmp_path / "data", make_settings(), chroma_process=True)
    lab.warm_up()
    yield lab
    lab.close()


def test_make_engine_picks_the_process_only_for_a_shareable_index(lab: Lab, app_lab: Lab) -> None:
    assert isinstance(make_engine(lab), LocalEngine)  # in-process Chroma cannot be shared
    engine = make_engine(app_lab)
    assert isinstance(engine, ProcessEngine)
    engine.close()


def test_cells_run_in_the_child_and_are_recorded_where_the_parent_reads(app_lab: Lab) -> None:
    engine = ProcessEngine(app_lab)
    events: list[tuple[str, object]] = []
    engine.listeners.append(lambda kind, payload: events.append((kind, payload)))
    try:
        engine.open("probe", "labkit:engine_probe").result(30)
        assert engine.call("probe", "pid").result(10) != os.getpid()
        runner = EngineCellRunner(engine)
        runner.start_batch("engine test")
        result = runner("Industry of Stripe", Column("Industry", "agent", "Industry of {Company}"), {})
        assert result.raw_text and result.completion_tokens > 0
        run_id = runner.end_batch()
        assert run_id == result.run_id
        from agent_core.runtime.runs import load_run

        run, steps = load_run(app_lab.engine, run_id)
        assert run.title == "engine test" and [s.id for s in steps] == [result.details["step_id"]]
        wait_for(lambda: any(k == "step" and p[1].id == result.details["step_id"] for k, p in events))
    finally:
        engine.close()


def test_memory_written_in_the_child_is_recalled_here_through_the_shared_index(app_lab: Lab) -> None:
    engine = ProcessEngine(app_lab)
    try:
        events = recall_here_what_the_child_wrote(engine, app_lab)
        engine.call("probe", "shout", "你好").result(10)
        wait_for(lambda: ("probe", "你好") in events)
    finally:
        engine.close()


def test_errors_cross_the_pipe_clearly_and_the_engine_survives(app_lab: Lab) -> None:
    engine = ProcessEngine(app_lab)
    try:
        engine.open("probe", "labkit:engine_probe")
        with pytest.raises(ValueError, match="bad part"):
            engine.call("probe", "fail").result(30)
        with pytest.raises(EngineError, match="unsendable result"):
            engine.call("probe", "unsendable").result(10)
        with pytest.raises(EngineError, match="could not send"):
            engine.call("probe", "shout", threading.Lock()).result(10)
        assert engine.call("probe", "sleep", 0).result(10) == "slept"
    finally:
        engine.close()


def test_cell_failures_keep_their_provenance(tmp_path: Path) -> None:
    settings = make_settings(sim=SimConfig(ttft_ms=0, tokens_per_s=0, error_rate=1.0))
    settings.provider.max_retries = 0
    lab = Lab(tmp_path / "data", settings, chroma_process=True)
    engine = ProcessEngine(lab)
    try:
        runner = EngineCellRunner(engine)
        runner.start_batch("failing")
        with pytest.raises(CellRunError, match="Model call failed") as caught:
            runner("Industry of Stripe", Column("Industry", "agent", "Industry of {Company}"), {})
        assert caught.value.provenance["step_id"] and caught.value.provenance["error_kind"]
    finally:
        engine.close()
        lab.close()


def test_a_killed_engine_fails_what_it_ran_then_restarts_with_its_services(app_lab: Lab) -> None:
    engine = ProcessEngine(app_lab)
    events: list[tuple[str, object]] = []
    engine.listeners.append(lambda kind, payload: events.append((kind, payload)))
    try:
        engine.open("probe", "labkit:engine_probe")
        pid = engine.call("probe", "pid").result(30)
        pending = engine.call("probe", "sleep", 30, lane="slow")
        os.kill(pid, 9)
        with pytest.raises(EngineError, match="stopped unexpectedly.*restarted"):
            pending.result(10)
        # Later calls wait for the restarted child, whose services were built again.
        new_pid = engine.call("probe", "pid").result(60)
        assert new_pid != pid and engine.restarts == 1
        states = [p["state"] for k, p in events if k == "engine"]  # type: ignore[index]
        assert states == ["restarting", "restarted"]
        assert engine.call("probe", "add", "Lives in Oslo").result(30)  # and it still writes memory
        assert app_lab.store.recall("default", "Oslo", k=1)[0].memory.content == "Lives in Oslo"
    finally:
        engine.close()


def test_a_killed_index_process_is_restarted_and_the_engine_reconnects(app_lab: Lab) -> None:
    engine = ProcessEngine(app_lab)
    try:
        engine.open("probe", "labkit:engine_probe")
        engine.call("probe", "add", "Lives in Lima").result(30)
        index = app_lab.store.index
        os.kill(index._proc.pid, 9)  # type: ignore[attr-defined]
        # The engine's client finds the restarted index on the same socket; so does this process.
        assert engine.call("probe", "add", "Likes pisco").result(60)
        wait_for(lambda: index.restarts == 1)  # type: ignore[attr-defined]
        hits = app_lab.store.recall("default", "pisco", k=3)
        assert hits and hits[0].memory.content == "Likes pisco"
    finally:
        engine.close()


def test_local_lanes_keep_order_and_inline_calls_run_at_once(lab: Lab) -> None:
    engine = LocalEngine(lab)
    try:
        engine.open("probe", "labkit:engine_probe").result()
        seen: list[int] = []
        futures = [engine.call("probe", "sleep", 0.001 * (i % 3), lane="a") for i in range(20)]
        for i, f in enumerate(futures):
            f.add_done_callback(lambda _f, i=i: seen.append(i))
        for f in futures:
            f.result(10)
        assert seen == list(range(20))
        inline = engine.call("probe", "pid", lane="")
        assert inline.done() and inline.result() == os.getpid()
    finally:
        engine.close()


def test_index_clients_share_one_index_process(tmp_path: Path) -> None:
    from memory.index_process import ChromaProcessIndex

    owner = ChromaProcessIndex(tmp_path / "chroma", "hash-4")
    try:
        client = IndexClient(*owner.share())
        client.upsert("p", "semantic", ["a"], [[1, 0, 0, 0]])
        assert owner.query("p", "semantic", [1, 0, 0, 0], 3)[0][0] == "a"
        client.close()
        with pytest.raises(IndexProcessError, match="unreachable"):  # a wrong key is refused
            IndexClient(owner.share()[0], b"wrong key").ids("p", "semantic")
        assert owner.ids("p", "semantic") == {"a"}  # and the index keeps serving
    finally:
        owner.close()


def test_runs_left_running_by_a_dead_process_are_marked_interrupted(lab: Lab) -> None:
    from datetime import timedelta

    from agent_core.runtime.runs import Run, StepRecorder, load_run, mark_interrupted
    from memory.clock import utcnow

    old = StepRecorder.start(lab.engine, kind="chat", title="before the crash").run
    live = StepRecorder.start(lab.engine, kind="collab", title="this session's").run
    assert mark_interrupted(lab.engine, utcnow() + timedelta(seconds=1), "the app stopped", ("chat",)) == 1
    assert load_run(lab.engine, old.id)[0].status == "interrupted"
    assert load_run(lab.engine, live.id)[0].status == "running"
    assert isinstance(load_run(lab.engine, old.id)[0], Run)


@pytest.mark.parametrize("where", ["here", "child"])
def test_a_typed_service_handle_reaches_the_real_methods(where: str, lab: Lab, app_lab: Lab) -> None:
    engine = LocalEngine(lab) if where == "here" else ProcessEngine(app_lab)
    try:
        probe = Service.open(engine, "probe", engine_probe)
        pid = probe.call(EngineProbe.pid).result(30)
        assert (pid == os.getpid()) == (where == "here")
        assert probe.call(EngineProbe.sleep, 0.01, lane="a").result(10) == "slept"
        with pytest.raises(ValueError, match="on purpose"):
            probe.call(EngineProbe.fail).result(10)
        assert lab_service(engine).call(Lab.load_models).result(60)
    finally:
        engine.close()


def test_a_factory_must_be_importable_by_name() -> None:
    assert factory_path(engine_probe) == "labkit:engine_probe"
    assert factory_path(EngineProbe) == "labkit:EngineProbe"
    with pytest.raises(EngineError, match="module-level"):
        factory_path(lambda lab, emit: None)
