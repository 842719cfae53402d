"""The ambient hub: several agents, their runs, the shared inbox, exactly-once event handling.

Qt-free and synchronous: `process(agent, event)` runs one event to its next wait; the GUI calls it
through the agent engine (`hub_service`, one lane per agent so an agent's runs stay ordered), the
CLI and tests directly. Listeners hear ("status", agent, status) and ("run", run_id, status) from
whichever thread acts.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from sqlalchemy import func
from sqlmodel import Session, col, select

from agent_core.ambient.agents import BASE, AmbientAgent
from agent_core.ambient.durable import RunCtx, RunPaused, WaitingForHuman, copy_steps
from agent_core.ambient.events import Event
from agent_core.ambient.inbox import AmbientAction, Inbox, InboxItem, ProcessedEvent
from agent_core.ambient.learning import lessons_from, with_rule
from agent_core.runtime.runs import Run, Step, StepRecorder, dumps, load_run
from memory.clock import Clock
from memory.consolidation import Source
from memory.prompts import clean_fact

Listener = Callable[[str, str, str], None]
STATUSES = ("idle", "running", "waiting", "paused", "error")


class AmbientHub:
    def __init__(self, lab: object, agents: list[AmbientAgent], clock: Clock | None = None) -> None:
        from agent_core.lab import Lab

        assert isinstance(lab, Lab)
        self.lab = lab
        self.clock = clock or lab.clock
        self.agents = {a.name: a for a in agents}
        self.inbox = Inbox(lab.engine)
        self.listeners: list[Listener] = []
        self._paused: set[str] = set()
        self._locks = {a.name: threading.RLock() for a in agents}
        self._status = dict.fromkeys(self.agents, "idle")
        self._errors: dict[str, str] = {}
        self.closed = False  # set by `close`: queued work is skipped, running work ends at its wait

    # -- status -----------------------------------------------------------------------------------
    def _emit(self, what: str, key: str, value: str) -> None:
        for cb in list(self.listeners):
            cb(what, key, value)

    def _set_status(self, agent: str, status: str) -> None:
        if status in ("idle", "waiting") and agent in self._paused:
            status = "paused"
        if status in ("idle",) and self.inbox.has_pending(agent):
            status = "waiting"
        self._status[agent] = status
        self._emit("status", agent, status)

    def status(self, agent: str) -> str:
        return self._status[agent]

    def is_paused(self, agent: str) -> bool:
        return agent in self._paused

    def pause(self, agent: str) -> None:
        """Takes effect at the agent's next step boundary."""
        self._paused.add(agent)
        if self._status[agent] != "running":
            self._set_status(agent, "paused")

    def resume(self, agent: str) -> list[str]:
        """Unpause and continue the runs the pause stopped; returns their ids."""
        self._paused.discard(agent)
        ids = self._runs(agent, ("paused",))
        for rid in ids:
            self.continue_run(rid)
        if not ids:
            self._set_status(agent, "idle")
        return ids

    def _runs(self, agent: str, statuses: tuple[str, ...]) -> list[str]:
        with Session(self.lab.engine, expire_on_commit=False) as s:
            q = select(Run.id).where(Run.kind == "ambient", Run.agent == agent, col(Run.status).in_(statuses))
            return list(s.exec(q.order_by(col(Run.created_at))))

    # -- events -----------------------------------------------------------------------------------
    def deliver(self, event: Event) -> list[str]:
        """Process `event` with every agent that accepts it; returns the new run ids."""
        out = []
        for agent in self.agents.values():
            if agent.accepts(event):
                rid = self.process(agent.name, event)
                if rid:
                    out.append(rid)
        return out

    def process(self, agent_name: str, event: Event) -> str | None:
        """Start a run for (agent, event) unless one was ever started: exactly once, across restarts."""
        if self.closed:
            return None
        agent = self.agents[agent_name]
        with self._locks[agent_name]:
            run = Run(
                kind="ambient",
                agent=agent.name,
                profile=agent.profile,
                title=event.title[:200],
                memory_mode=agent.memory_mode,
                architecture=agent.kind,
                conversation_id=event.id,
            )
            key = f"{agent.name}:{event.id}"
            with Session(self.lab.engine, expire_on_commit=False) as s:
                if s.get(ProcessedEvent, key) is not None:
                    return None
                n = s.exec(select(func.count()).select_from(ProcessedEvent)).one()
                s.add(
                    ProcessedEvent(
                        key=key,
                        agent=agent.name,
                        event_id=event.id,
                        run_id=run.id,
                        ordinal=n + 1,
                        event_json=dumps(event.as_dict()),
                    )
                )
                s.add(run)
                s.commit()
            self._execute(agent, run, [], event)
            return run.id

    def continue_run(self, run_id: str) -> str:
        """Re-execute a run by replay (after a pause, an answer, a crash or a fork)."""
        loaded = load_run(self.lab.engine, run_id)
        if loaded is None:
            raise KeyError(f"no run {run_id}")
        run, steps = loaded
        agent = self.agents[run.agent]
        with self._locks[agent.name]:
            run, steps = load_run(self.lab.engine, run_id) or (run, steps)
            if run.status in ("done", "error", "stopped"):
                return run.status
            return self._execute(agent, run, steps)

    def _execute(self, agent: AmbientAgent, run: Run, steps: list[Step], event: Event | None = None) -> str:
        self._set_run_status(run.id, "running")
        self._set_status(agent.name, "running")
        rec = StepRecorder(self.lab.engine, run, self.lab.step_listeners)
        ctx = RunCtx(self, agent, rec, steps)
        event = event or self._event_of(run.id, steps)
        try:
            outcome = agent.run(ctx, event)
            ctx.flush()
        except RunPaused:
            self._set_run_status(run.id, "paused")
            self._set_status(agent.name, "paused")
            return "paused"
        except WaitingForHuman:
            self._set_run_status(run.id, "waiting")
            self._set_status(agent.name, "waiting")
            return "waiting"
        except Exception as exc:  # noqa: BLE001 - a run's failure is shown on the agent, not raised
            rec.finish("error", f"{type(exc).__name__}: {exc}")
            self._errors[agent.name] = str(exc)
            self._mark_done(run.id)
            self._set_status(agent.name, "error")
            self._emit("run", run.id, "error")
            return "error"
        rec.finish("done")
        self._mark_done(run.id)
        self._set_status(agent.name, "idle")
        self._emit("run", run.id, outcome)
        return "done"

    def _set_run_status(self, run_id: str, status: str) -> None:
        with Session(self.lab.engine, expire_on_commit=False) as s:
            run = s.get(Run, run_id)
            if run is not None and run.status != status:
                run.status = status
                s.add(run)
                s.commit()
        self._emit("run", run_id, status)

    def _mark_done(self, run_id: str) -> None:
        with Session(self.lab.engine, expire_on_commit=False) as s:
            for pe in s.exec(select(ProcessedEvent).where(ProcessedEvent.run_id == run_id)):
                pe.status = "done"
                s.add(pe)
            s.commit()

    def recover(self) -> list[str]:
        """After a restart: resume runs that were running or paused, or whose answers arrived."""
        resumed = []
        for name in self.agents:
            ids = self._runs(name, ("running", "paused"))
            for rid in self._runs(name, ("waiting",)):
                if not self.inbox.items(run_id=rid) and self.inbox.items(run_id=rid, status="answered"):
                    ids.append(rid)
            with Session(self.lab.engine, expire_on_commit=False) as s:
                for st in s.exec(select(Step).where(col(Step.run_id).in_(ids), Step.status == "running")):
                    st.status, st.error = "stopped", "interrupted (the app stopped mid-step)"
                    s.add(st)
                s.commit()
            for rid in ids:
                self.continue_run(rid)
                resumed.append(rid)
            if not ids:
                self._set_status(name, "idle")
        return resumed

    # -- the inbox --------------------------------------------------------------------------------
    def record_answer(self, item_id: str, response: dict) -> InboxItem:
        """Validate an answer against the item's allow flags, keep edited types, persist it."""
        item = self.inbox.get(item_id)
        if item is None:
            raise KeyError(f"no inbox item {item_id}")
        return self.inbox.record_answer(item_id, check_answer(item, response), self.clock.now())

    def retract_answer(self, item_id: str) -> InboxItem | None:
        """Undo an answer its run has not acted on yet (the item is pending again); None if too late."""
        return self.inbox.reopen(item_id)

    def mark_read(self, item_id: str) -> InboxItem:
        return self.inbox.mark_read(item_id)

    def answer(self, item_id: str, response: dict) -> str:
        """Answer an item and resume its run; returns the run's new state."""
        item = self.record_answer(item_id, response)
        return self.continue_run(item.run_id)

    # -- actions and memory -----------------------------------------------------------------------
    def execute_action(self, agent: AmbientAgent, run_id: str, seq: int, action: str, args: dict) -> dict:
        key = f"{run_id}:{seq}"
        with Session(self.lab.engine, expire_on_commit=False) as s:
            if s.get(AmbientAction, key) is None:
                s.add(
                    AmbientAction(
                        key=key, agent=agent.name, run_id=run_id, action=action, args_json=dumps(args)
                    )
                )
                s.commit()
        return dict(args) if action == "draft_reply" else {"action": action, "ok": True}

    def actions(self, agent: str | None = None) -> list[AmbientAction]:
        with Session(self.lab.engine, expire_on_commit=False) as s:
            q = select(AmbientAction)
            if agent:
                q = q.where(AmbientAction.agent == agent)
            return list(s.exec(q.order_by(col(AmbientAction.created_at))))

    def apply_lessons(
        self, agent: AmbientAgent, lessons: dict, mode: str, run_id: str, step_id: str, text: str
    ) -> dict:
        """Rules → a new procedural version for this agent; facts → semantic memory of its profile."""
        out: dict = {"rules": [], "facts": [], "mode": mode}
        proc = self.lab.procedural
        for rule in lessons.get("rules", []):
            current = proc.current(agent.profile, agent.name, default=BASE[agent.kind]).text
            new = with_rule(current, rule)
            if new is not None:
                v = proc.commit(agent.profile, agent.name, new, reason=f"inbox: {rule}", author="inbox")
                out["rules"].append({"rule": rule, "version": v.version})
        facts = [f for f in (clean_fact(x) for x in lessons.get("facts", [])) if f]
        if facts:
            res = self.lab.writer.write(
                agent.profile, facts, mode=mode, source=Source(run_id=run_id, step_id=step_id, text=text)
            )
            out["facts"] = [m.content for m in res.added]
        return out

    # -- time travel ------------------------------------------------------------------------------
    def rewind(self, run_id: str, seq: int, *, output: object = None, instruction: str = "") -> str:
        """Fork `run_id` keeping steps ≤ seq (step seq's output replaced by `output` when given),
        add the instruction as a correction, and return the new run's id (not yet executed)."""
        loaded = load_run(self.lab.engine, run_id)
        if loaded is None:
            raise KeyError(f"no run {run_id}")
        run, steps = loaded
        agent = self.agents[run.agent]
        kept = [s for s in steps if s.seq <= seq and s.status == "done"]
        if output is not None and kept and kept[-1].seq == seq:
            kept[-1] = kept[-1].model_copy(update={"output_json": dumps(output), "mode": "edited"})
        fork = Run(
            kind="ambient", agent=run.agent, profile=run.profile, title=run.title, memory_mode=run.memory_mode,
            architecture=run.architecture, conversation_id=run.conversation_id, parent_run_id=run.id,
            forked_from_step=seq, status="paused" if self.is_paused(agent.name) else "running",
        )  # fmt: skip
        with Session(self.lab.engine, expire_on_commit=False) as s:
            s.add(fork)
            for pe in s.exec(select(ProcessedEvent).where(ProcessedEvent.run_id == run.id)):
                pe.run_id, pe.status = fork.id, "started"
                s.add(pe)
            s.commit()
        copy_steps(self.lab.engine, kept, fork.id)
        if instruction.strip():
            rec = StepRecorder(self.lab.engine, fork, self.lab.step_listeners)
            rec.record("human_input", "correction", None, {"instruction": instruction.strip()})
            lessons = lessons_from({"type": "response", "args": instruction})
            lessons["facts"] = []  # a correction about this run is not a fact about the world
            if lessons["rules"] and agent.memory_mode != "off":
                with rec.step("memory_write", "learn:correction", lessons) as h:
                    h.output = self.apply_lessons(agent, lessons, "hot_path", fork.id, h.id, instruction)
        if run.status in ("waiting", "paused", "running"):
            self._set_run_status(run.id, "stopped")
        self.inbox.supersede_run(run.id)
        self._emit("run", fork.id, fork.status)
        return fork.id

    def rewind_and_continue(self, run_id: str, agent: str, seq: int, output: object, instruction: str) -> str:
        """`rewind`, then run the fork on unless the agent is paused; returns the fork's id."""
        fork = self.rewind(run_id, seq, output=output, instruction=instruction)
        if not self.is_paused(agent):
            self.continue_run(fork)
        return fork

    def close(self) -> None:
        """Stop taking work: calls still queued return at once (their events stay unprocessed)."""
        self.closed = True

    def _event_of(self, run_id: str, steps: list[Step]) -> Event:
        """A run's event: its input step's output, else the processed-event record."""
        first = next((s for s in steps if s.kind == "input" and s.status == "done"), None)
        if first is not None and isinstance(first.output, dict):
            return Event.from_dict(first.output)
        with Session(self.lab.engine, expire_on_commit=False) as s:
            pe = s.exec(select(ProcessedEvent).where(ProcessedEvent.run_id == run_id)).first()
        if pe is None:
            raise ValueError(f"run {run_id} has no recorded event to resume from")
        return Event.from_dict(json.loads(pe.event_json))

    def discard_steps(self, steps: list[Step]) -> None:
        with Session(self.lab.engine, expire_on_commit=False) as s:
            for st in steps:
                row = s.get(Step, st.id)
                if row is not None:
                    row.status = "discarded"
                    s.add(row)
            s.commit()

    def corrections(self, run_ids: list[str]) -> dict[str, str]:
        """The instruction each fork was given (forks that edited an output instead have none)."""
        q = select(Step.run_id, Step.output_json).where(
            col(Step.run_id).in_(run_ids), Step.kind == "human_input", Step.name == "correction"
        )
        with Session(self.lab.engine, expire_on_commit=False) as s:
            rows = list(s.exec(q)) if run_ids else []
        return {rid: str((json.loads(out) or {}).get("instruction", "")) for rid, out in rows}

    def runs(self, agent: str | None = None, limit: int = 500) -> list[Run]:
        with Session(self.lab.engine, expire_on_commit=False) as s:
            q = select(Run).where(Run.kind == "ambient")
            if agent:
                q = q.where(Run.agent == agent)
            return list(s.exec(q.order_by(col(Run.created_at).desc()).limit(limit)))


def check_answer(item: InboxItem, response: dict) -> dict:
    """The answer to store for `item` (edited args in their original types); ValueError if the
    item was already answered or its kind does not allow this response. Pure: the GUI checks first."""
    if item.status != "pending":
        raise ValueError(f"this item was already {item.status}")
    rtype = str(response.get("type"))
    if not item.allows(rtype):
        raise ValueError(f"a {item.kind} item does not allow {rtype!r}")
    response = dict(response)
    if rtype == "edit":
        original = item.action_request.get("args") or {}
        edited = response.get("args") or {}
        response["args"] = {k: coerce_like(original.get(k), edited.get(k, original.get(k))) for k in original}
    return response


def coerce_like(original: object, value: object) -> object:
    """An edited value in the original's type: a number stays a number, a list a list."""
    if value is None or original is None or type(value) is type(original):
        return value
    text = str(value).strip()
    try:
        if isinstance(original, bool):
            if text.lower() in ("true", "yes", "1", "on"):
                return True
            if text.lower() in ("false", "no", "0", "off"):
                return False
            raise ValueError(text)
        if isinstance(original, int):
            return int(float(text)) if float(text).is_integer() else float(text)
        if isinstance(original, float):
            return float(text)
        if isinstance(original, list):
            parsed = (
                json.loads(text)
                if text.startswith("[")
                else [p.strip() for p in text.split(",") if p.strip()]
            )
            return list(parsed)
        if isinstance(original, dict):
            return dict(json.loads(text))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{value!r} is not a valid {type(original).__name__}") from exc
    return text


def hub_service(
    lab: object, emit: Callable[[str, object], None], name: str, agents: list[AmbientAgent]
) -> AmbientHub:
    """The hub as an agent-engine service; its events reach the engine's listeners as `name`."""
    hub = AmbientHub(lab, agents)
    hub.listeners.append(lambda what, key, value: emit(name, (what, key, value)))
    hub.inbox.listeners.append(lambda event, item: emit(name, ("inbox", event, item.id)))
    return hub
