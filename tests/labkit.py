"""Helpers shared by tests (a plain module: several conftest.py files exist, so not `conftest`)."""

from __future__ import annotations


def make_settings(**overrides: object):  # noqa: ANN201 - Settings
    """Fast, deterministic settings: instant simulator, hash embedder, short debounce."""
    from agent_core.runtime.settings import Settings
    from agent_core.simulator import SimConfig

    s = Settings(embedder="hash-256", sim=SimConfig.instant(), debounce_s=0.05)
    for k, v in overrides.items():
        setattr(s, k, v)
    return s


def wait_for(pred, timeout: float = 20.0) -> None:  # noqa: ANN001
    """Poll `pred` (no Qt event loop needed) until it holds; fail after `timeout` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


class EngineProbe:
    """A test service for the agent engine (`labkit:engine_probe`): the engine-side Lab's store,
    plus calls that sleep, fail or return something unpicklable."""

    def __init__(self, lab, emit) -> None:  # noqa: ANN001
        self.lab, self.emit = lab, emit

    def add(self, content: str, namespace: str = "default") -> str:
        from memory.models import Memory

        return self.lab.store.add(Memory(namespace=namespace, content=content)).id

    def pid(self) -> int:
        import os

        return os.getpid()

    def sleep(self, seconds: float) -> str:
        import time

        time.sleep(seconds)
        return "slept"

    def fail(self) -> None:
        raise ValueError("bad part: the probe failed on purpose")

    def unsendable(self) -> object:
        return lambda: None

    def shout(self, text: str) -> None:
        self.emit("probe", text)


def engine_probe(lab, emit) -> EngineProbe:  # noqa: ANN001
    return EngineProbe(lab, emit)


def recall_here_what_the_child_wrote(engine, lab, timeout: float = 30.0) -> list[tuple[str, object]]:  # noqa: ANN001
    """Write a memory in the engine's child (the probe service), wait for its event, and check this
    process's Lab recalls it through the shared index; returns the engine's events (still recorded)."""
    events: list[tuple[str, object]] = []
    engine.listeners.append(lambda kind, payload: events.append((kind, payload)))
    engine.open("probe", "labkit:engine_probe")
    memory_id = engine.call("probe", "add", "Lives in Valparaíso").result(timeout)
    wait_for(lambda: ("memory", ("add", "default", [memory_id])) in events)
    hits = lab.store.recall("default", "Which city do I live in?", k=3)
    assert hits[0].memory.id == memory_id and hits[0].parts.dense_rank is not None
    return events


class PageLabs:
    """Pages over fresh Labs for a pytest-qt test, each Lab in its own dir under `root`; with
    `engine_kind` "process" the Lab's engine is the app's child, else threads in this process.
    `close()` shuts every page down and closes its context and Lab."""

    def __init__(self, qtbot, root, engine_kind: str) -> None:  # noqa: ANN001
        self.qtbot, self.root, self.engine_kind = qtbot, root, engine_kind
        self.made: list[tuple[object, object, object]] = []

    def open(self, settings, build, size: tuple[int, int], guard=None):  # noqa: ANN001, ANN201
        """`build(ctx)` makes the page; `guard(lab)`, in the process variant, can make the GUI
        process's own model or writers refuse, so only the engine's child can have done the work."""
        from agent_core.lab import Lab
        from agent_core.runtime.engine import LocalEngine, ProcessEngine
        from ui_patterns.common import LabContext

        child = self.engine_kind == "process"
        lab = Lab(self.root / f"data{len(self.made)}", settings, chroma_process=child)
        lab.warm_up()
        ctx = LabContext(lab)
        assert isinstance(ctx.engine, ProcessEngine if child else LocalEngine)
        if child and guard is not None:
            guard(lab)
        page = build(ctx)
        self.qtbot.addWidget(page)
        page.resize(*size)
        page.show()
        self.made.append((page, ctx, lab))
        return page

    def close(self) -> None:
        from ui_patterns.common.workers import active_workers

        for page, ctx, lab in self.made:
            page.shutdown()  # type: ignore[attr-defined]
            self.qtbot.waitUntil(lambda: active_workers() == 0, timeout=10_000)
            ctx.close()  # type: ignore[attr-defined]
            lab.close()  # type: ignore[attr-defined]


def refuse(*_args: object, **_kwargs: object) -> None:
    """Stands in for GUI-process agent work that must not run (see `PageLabs.open`'s guard)."""
    raise AssertionError("agent work ran in the GUI process")
