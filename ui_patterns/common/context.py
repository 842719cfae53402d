"""LabContext: the Qt face of the core Lab. Core listeners (any thread) become GUI-thread signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from agent_core.lab import Lab
from agent_core.runtime.engine import Engine, LocalEngine, lab_service, make_engine
from agent_core.runtime.runs import mark_interrupted
from agent_core.runtime.settings import Settings
from memory.clock import utcnow
from ui_patterns.common.workers import run_call

ENGINE_KINDS = ("chat", "sheet", "ambient")
"""Run kinds the agent engine executes: its death interrupts only those."""


class LabContext(QObject):
    memory_changed = Signal(str, str, list)  # event, namespace, ids
    step_event = Signal(str, object)  # started/finished, Step
    job_done = Signal(object)  # memory.background.JobOutcome
    settings_changed = Signal()
    profile_changed = Signal(str)
    ready_changed = Signal(bool, str)  # ok, message

    def __init__(self, lab: Lab, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lab = lab
        self.profile = lab.settings.profile
        self.ready = False
        self.status = "loading memory index…"
        self._unsub = lab.store.subscribe(lambda ev, ns, ids: self.memory_changed.emit(ev, ns, list(ids)))
        lab.step_listeners.append(self._on_step)
        lab.background.listeners.append(self.job_done.emit)
        self._engine: Engine | None = None

    def _on_step(self, event: str, step: object) -> None:
        self.step_event.emit(event, step)

    @property
    def engine(self) -> Engine:
        """Where agent work runs: a child process when the Lab's index can be shared (the app).

        Its memory, step and job events are re-emitted here, as the Lab's own are.
        """
        if self._engine is None:
            self._engine = make_engine(self.lab)
            self._engine.listeners.append(self._on_engine_event)
        return self._engine

    def _on_engine_event(self, kind: str, payload: object) -> None:
        if kind == "memory":
            event, namespace, ids = payload  # type: ignore[misc]
            self.memory_changed.emit(event, namespace, list(ids))
        elif kind == "step":
            self.step_event.emit(*payload)  # type: ignore[misc]
        elif kind == "job":
            self.job_done.emit(payload)
        elif kind == "engine":  # the agent engine died and is being (or was) restarted: say so
            state, message = payload["state"], payload["message"]  # type: ignore[index]
            if state == "restarted":
                mark_interrupted(self.lab.engine, utcnow(), "the agent engine stopped", ENGINE_KINDS)
            self.status = f"⚠ {message}" if state == "restarting" else self.status.removeprefix("⚠ ")
            self.ready_changed.emit(self.ready, self.status)

    def warm_up_async(self) -> None:
        """Load the embedder and Chroma and reconcile them, off the GUI thread."""
        started = utcnow()

        def done(local: object) -> None:
            self.ready = True
            self.status = " · ".join(x for x in (f"memory ready ({self.lab.embedder.name})", str(local)) if x)
            self.ready_changed.emit(True, self.status)

        def failed(msg: str) -> None:
            self.status = f"memory index failed: {msg}"
            self.ready_changed.emit(False, self.status)

        def warm_up() -> object:
            # Runs a crashed session left "running" (nothing of this session has started yet).
            mark_interrupted(self.lab.engine, started, "the app stopped before this run finished")
            here = isinstance(self.engine, LocalEngine)  # else the engine's child writes memory
            self.lab.warm_up(resume_jobs=here)
            local = self.lab.prepare_model()  # the local model's server starts here, then the engine attaches
            # the agent engine loads its own embedder: ready means both can recall at once
            engine_lab = lab_service(self.engine)
            engine_lab.call(Lab.load_models).result(timeout=300)
            if not here:  # jobs a crash left pending run where new ones do, never in two places
                engine_lab.call(Lab.resume_jobs).result(timeout=60)
            return local

        run_call(warm_up, done, failed)

    def set_profile(self, profile: str) -> None:
        if profile and profile != self.profile:
            self.profile = profile
            self.profile_changed.emit(profile)

    def apply_settings(self, settings: Settings) -> None:
        self.lab.apply_settings(settings)
        if self._engine is not None:
            self._engine.apply_settings(settings)
        self.settings_changed.emit()
        if settings.provider.kind == "local":  # load it now, off the GUI thread, with its state shown
            self.status = "local model loading…"
            self.ready_changed.emit(self.ready, self.status)

            def loaded(line: object) -> None:
                self.status = f"memory ready ({self.lab.embedder.name}) · {line}"
                self.ready_changed.emit(self.ready, self.status)

            run_call(self.lab.prepare_model, loaded, lambda msg: loaded(f"local model unavailable: {msg}"))

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        self._unsub()
        if self._on_step in self.lab.step_listeners:
            self.lab.step_listeners.remove(self._on_step)
        if self.job_done.emit in self.lab.background.listeners:
            self.lab.background.listeners.remove(self.job_done.emit)
