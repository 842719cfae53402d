"""The agent engine: where agent work runs, in this process or in a spawned child.

Agent work (the `openai` client, the simulator, step and memory writes) is Python on worker
threads. In the GUI's process it competes with the GUI thread for the GIL, and a repaint that
calls a Python model a thousand times waits behind it each time: 8 ambient agents made the GUI
stall 150–240 ms, 16 sheet cells 200–300 ms. `ProcessEngine` runs that work in a child with its
own `Lab` on the same data dir (SQLite in WAL mode takes writers from several processes; the
Chroma index process is shared over its socket), so the GUI process only waits on a pipe.
`LocalEngine` runs the same calls on threads here (tests, CLI, custom indexes).

Both expose named *services* (built in the engine by a factory: a module-level function or class
taking the engine's Lab and an emit function), `call`s that return futures, and *lanes*: calls on one lane run in order on one thread (an ambient agent's
runs), calls without a lane share a pool (sheet cells), and lane "" runs at once, in the order
calls were made (quick control calls: pause, start a batch). Events the work raises (memory changes,
recorded steps, background jobs, service events) reach `listeners` as `(kind, payload)`.

Callers hold a typed `Service` handle, not names: `Service.open(engine, name, TurnService, name)`,
then `chat.call(TurnService.run_turn, key, …, lane=name)`. The method and factory travel to the
child by name, but the type checker sees the real ones: a rename or a wrong argument fails
`./scripts/test`, not a call at run time.
"""

from __future__ import annotations

import functools
import importlib
import multiprocessing
import os
import pickle
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, TypeVarTuple

if TYPE_CHECKING:
    from agent_core.lab import Lab
    from agent_core.runtime.settings import Settings

Listener = Callable[[str, Any], None]
Emit = Callable[[str, Any], None]
POOL_THREADS = 64  # calls without a lane (a sheet runs up to 32 cells at once)
RESTART_BACKOFF_S = 0.5
MAX_START_FAILURES = 5
"""A child that cannot start this many times in a row is given up on (every call then says why)."""


S = TypeVar("S")
R = TypeVar("R")
Ts = TypeVarTuple("Ts")


class EngineError(RuntimeError):
    """The engine could not run a call (it failed to start or stopped); the message says why."""


class Engine(Protocol):
    listeners: list[Listener]

    def open(self, name: str, factory: str, *args: Any) -> Future: ...
    def call(self, service: str, method: str, *args: Any, lane: str | None = None) -> Future: ...
    def apply_settings(self, settings: Settings) -> None: ...
    def close(self) -> None: ...


def factory_path(factory: Callable[..., object]) -> str:
    """The "module:name" the engine child imports a factory by (a module-level function or class)."""
    name = factory.__qualname__
    if "." in name or "<" in name:
        raise EngineError(f"a service factory must be a module-level function or class, not {name}")
    return f"{factory.__module__}:{name}"


class Service(Generic[S]):
    """A typed handle on one service of an engine: its calls name real methods of the factory's
    result (`svc.call(TurnService.stop, key, lane="")`), so the type checker checks them."""

    def __init__(self, engine: Engine, name: str, opened: Future | None = None) -> None:
        self.engine, self.name = engine, name
        self.opened: Future = opened if opened is not None else _done(None)

    @classmethod
    def open(
        cls, engine: Engine, name: str, factory: Callable[[Lab, Emit, *Ts], S], *args: *Ts
    ) -> Service[S]:
        """Build the service in the engine (queued: calls made meanwhile wait for it)."""
        return cls(engine, name, engine.open(name, factory_path(factory), *args))

    def call(self, method: Callable[[S, *Ts], R], *args: *Ts, lane: str | None = None) -> Future[R]:
        return self.engine.call(self.name, method.__name__, *args, lane=lane)


def lab_service(engine: Engine) -> Service[Lab]:
    """The engine's own Lab (every engine has it): `lab_service(e).call(Lab.load_models)`."""
    return Service(engine, "lab")


def _done(value: object) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


def _build(lab: Lab, emit: Emit, factory: str, args: tuple) -> object:
    module, _, name = factory.partition(":")
    return getattr(importlib.import_module(module), name)(lab, emit, *args)


class _Lanes:
    """Ordered single-thread lanes plus one shared pool; both run `fn` and settle a future."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(POOL_THREADS, thread_name_prefix="engine")
        self._lanes: dict[str, ThreadPoolExecutor] = {}
        self._lock = threading.Lock()

    def submit(self, lane: str | None, fn: Callable[[], object]) -> Future:
        if lane == "":
            future: Future = Future()
            try:
                future.set_result(fn())
            except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
                future.set_exception(exc)
            return future
        if lane is None:
            return self._pool.submit(fn)
        with self._lock:
            executor = self._lanes.get(lane)
            if executor is None:
                executor = self._lanes[lane] = ThreadPoolExecutor(1, thread_name_prefix=f"lane-{lane}")
        return executor.submit(fn)

    def shutdown(self) -> None:
        for executor in [self._pool, *self._lanes.values()]:
            executor.shutdown(wait=True, cancel_futures=True)


def _wire_lab_events(lab: Lab, emit: Emit) -> None:
    from agent_core.runtime.runs import StepNote

    lab.store.subscribe(lambda event, namespace, ids: emit("memory", (event, namespace, list(ids))))
    lab.step_listeners.append(lambda event, step: emit("step", (event, StepNote.of(step))))
    lab.background.listeners.append(lambda outcome: emit("job", outcome))


class LocalEngine:
    """Services on threads of this process, over the caller's own Lab (its events stay local)."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.listeners: list[Listener] = []
        self._services: dict[str, object] = {"lab": lab}
        self._lanes = _Lanes()

    def _emit(self, kind: str, payload: Any) -> None:
        for listener in list(self.listeners):
            listener(kind, payload)

    def open(self, name: str, factory: str, *args: Any) -> Future:
        future: Future = Future()
        try:
            self._services[name] = _build(self.lab, self._emit, factory, args)
            future.set_result(None)
        except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future

    def call(self, service: str, method: str, *args: Any, lane: str | None = None) -> Future:
        return self._lanes.submit(lane, lambda: getattr(self._services[service], method)(*args))

    def apply_settings(self, settings: Settings) -> None:
        """The Lab is shared with the caller, who applies settings to it."""

    def close(self) -> None:
        self._lanes.shutdown()


# -- the child process ------------------------------------------------------------------------------


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - not every exception survives pickling: keep its words
        return EngineError(f"{type(exc).__name__}: {exc}")


def _child(
    conn: Connection, data_dir: str, settings: Settings, db_url: str, index: str | tuple[str, bytes]
) -> None:
    from agent_core.lab import Lab
    from agent_core.runtime import crashlog
    from memory.index_process import IndexClient

    os.umask(0o077)  # everything this process writes holds someone's memory: user-only
    crashlog.install(data_dir, "engine")  # a native crash here still leaves its Python stacks
    send_lock = threading.Lock()

    def send(message: tuple) -> None:
        with send_lock:
            try:
                conn.send(message)
            except (OSError, EOFError, ValueError):
                pass  # the parent is gone; the main loop ends on its next recv
            except Exception as exc:  # noqa: BLE001 - an unpicklable value: say so instead
                if message[0] == "result":
                    conn.send(("result", message[1], False, EngineError(f"unsendable result: {exc}")))

    def emit(kind: str, payload: Any) -> None:
        send(("event", kind, payload))

    try:
        if isinstance(index, str):  # a Chroma server: connect to it directly
            lab = Lab(data_dir, settings, db_url=db_url, chroma=index)
        else:
            lab = Lab(data_dir, settings, db_url=db_url, index=IndexClient(*index))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails every call with it
        conn.send(("ready", False, f"{type(exc).__name__}: {exc}"))
        return
    _wire_lab_events(lab, emit)
    load = getattr(lab.embedder, "load", None)
    if load is not None:  # the model loads while the first calls are on their way
        threading.Thread(target=load, daemon=True, name="embedder-load").start()
    services: dict[str, object] = {"lab": lab}
    lanes = _Lanes()
    conn.send(("ready", True, ""))

    def run(call_id: int, service: str, method: str, args: tuple) -> None:
        try:
            send(("result", call_id, True, getattr(services[service], method)(*args)))
        except Exception as exc:  # noqa: BLE001 - every failure goes back to its caller
            send(("result", call_id, False, _picklable(exc)))

    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break
        op = message[0]
        if op == "close":
            break
        if op == "open":
            _, call_id, name, factory, args = message
            try:
                services[name] = _build(lab, emit, factory, args)
                send(("result", call_id, True, None))
            except Exception as exc:  # noqa: BLE001
                send(("result", call_id, False, _picklable(exc)))
        elif op == "call":
            _, call_id, service, method, args, lane = message
            lanes.submit(lane, functools.partial(run, call_id, service, method, args))
        elif op == "settings":
            lab.apply_settings(message[1])
    lanes.shutdown()
    lab.close()
    send(("closed",))


class ProcessEngine:
    """Services in a spawned child with its own Lab on the parent Lab's data dir and index.

    Nothing here blocks the caller: the child starts on a sender thread at construction, and calls
    queue up meanwhile. If the child fails or dies, pending and later calls fail with an
    `EngineError` saying so.
    """

    def __init__(self, lab: Lab) -> None:
        if not self.supported(lab):
            raise EngineError("the engine process needs a shareable index (Chroma server or index process)")
        self._share = _index_share(lab)
        self._data_dir = str(lab.data_dir)
        self._db_url = lab.engine.url.render_as_string(hide_password=False)
        self._settings = lab.settings
        self.listeners: list[Listener] = []
        self._outbox: queue.Queue[tuple | None] = queue.Queue()
        self._futures: dict[int, Future] = {}
        self._lock = threading.Lock()
        self._next_id = 0
        self._failed: str | None = None
        self._conn: Connection | None = None
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._closed = threading.Event()
        self._opened: dict[str, tuple[str, tuple]] = {}  # services to build again in a restarted child
        self.restarts = 0
        self._sender = threading.Thread(target=self._send_loop, daemon=True, name="engine-send")
        self._sender.start()

    @staticmethod
    def supported(lab: Lab) -> bool:
        return lab.index_shareable

    # -- calls ------------------------------------------------------------------------------------
    def _new_future(self) -> tuple[int, Future]:
        future: Future = Future()
        with self._lock:
            if self._failed is not None:
                future.set_exception(EngineError(self._failed))
                return -1, future
            self._next_id += 1
            self._futures[self._next_id] = future
            return self._next_id, future

    def open(self, name: str, factory: str, *args: Any) -> Future:
        call_id, future = self._new_future()
        if call_id > 0:
            self._opened[name] = (factory, args)
            self._outbox.put(("open", call_id, name, factory, args))
        return future

    def call(self, service: str, method: str, *args: Any, lane: str | None = None) -> Future:
        call_id, future = self._new_future()
        if call_id > 0:
            self._outbox.put(("call", call_id, service, method, args, lane))
        return future

    def apply_settings(self, settings: Settings) -> None:
        self._settings = settings
        self._outbox.put(("settings", settings))

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._futures)

    # -- the pipe ---------------------------------------------------------------------------------
    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")  # no forked copies of Qt or SQLite handles
        parent, child = ctx.Pipe()
        args = (child, self._data_dir, self._settings, self._db_url, self._share())
        proc = ctx.Process(target=_child, args=args, daemon=True, name="agent-engine")
        proc.start()
        child.close()
        try:
            _, ok, message = parent.recv()
        except (EOFError, OSError):
            ok, message = False, f"it exited with code {proc.exitcode}"
        if not ok:
            raise EngineError(f"the agent engine could not start: {message}")
        self._conn, self._proc = parent, proc
        threading.Thread(target=self._read_loop, args=(parent,), daemon=True, name="engine-read").start()

    def _send_loop(self) -> None:
        """Start the child, send it what callers queue; when it dies, start it again (backoff)
        with the same services, so the pages keep working. Calls it was running fail with a
        clear error (the user's text was persisted before any call); later calls just wait."""
        failures = 0
        while not self._closed.is_set():
            try:
                self._start()
            except Exception as exc:  # noqa: BLE001 - retried, then every call fails with this message
                failures += 1
                message = (
                    str(exc) if isinstance(exc, EngineError) else f"the agent engine could not start: {exc}"
                )
                if failures >= MAX_START_FAILURES or self._closed.is_set():
                    self._fail(message)
                    return
                time.sleep(RESTART_BACKOFF_S * 2**failures)
                continue
            if failures or self.restarts:
                conn = self._conn
                assert conn is not None  # _start() connected it
                for name, (factory, args) in list(self._opened.items()):
                    conn.send(("open", 0, name, factory, args))
                self._notify("restarted", f"the agent engine was restarted ({self.restarts} so far)")
            failures = 0
            if not self._pump():
                return
            self.restarts += 1
            time.sleep(RESTART_BACKOFF_S)

    def _pump(self) -> bool:
        """Send queued messages until closed (False) or the child is gone (True: restart it)."""
        while True:
            message = self._outbox.get()
            if message is None or self._conn is None:
                return False
            if message[0] == "__restart__":
                return True
            try:
                self._conn.send(message)
            except Exception as exc:  # noqa: BLE001 - unpicklable arguments fail their own call only
                if isinstance(exc, (OSError, EOFError)):
                    self._outbox.put(message)  # not delivered: the restarted child gets it
                    return True
                if message[0] in ("call", "open"):
                    self._settle(message[1], False, EngineError(f"could not send {message[0]}: {exc}"))

    def _notify(self, state: str, message: str) -> None:
        for listener in list(self.listeners):
            try:
                listener("engine", {"state": state, "message": message})
            except Exception:  # noqa: BLE001, S112 - one broken listener must not stop the engine
                continue

    def _read_loop(self, conn: Connection) -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            if message[0] == "result":
                self._settle(message[1], message[2], message[3])
            elif message[0] == "event":
                for listener in list(self.listeners):
                    try:
                        listener(message[1], message[2])
                    except Exception:  # noqa: BLE001, S112 - one broken listener must not stop the pipe
                        continue
            elif message[0] == "closed":
                break
        if not self._closed.is_set():
            if self._proc is not None:
                self._proc.join(5)
            code = self._proc.exitcode if self._proc is not None else None
            message = (
                f"the agent engine stopped unexpectedly (exit code {code}) while this ran; it is "
                "being restarted — your input was kept, try again"
            )
            with self._lock:
                running, self._futures = list(self._futures.values()), {}
            for future in running:
                future.set_exception(EngineError(message))
            self._notify("restarting", message)
            self._outbox.put(("__restart__",))

    def _settle(self, call_id: int, ok: bool, value: Any) -> None:
        with self._lock:
            future = self._futures.pop(call_id, None)
        if future is None:
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value if isinstance(value, BaseException) else EngineError(str(value)))

    def _fail(self, message: str) -> None:
        with self._lock:
            self._failed = message
            futures, self._futures = list(self._futures.values()), {}
        for future in futures:
            future.set_exception(EngineError(message))

    def close(self) -> None:
        """Let running calls finish (the child drains its lanes), then stop the child."""
        self._closed.set()
        self._outbox.put(("close",))
        self._outbox.put(None)
        self._sender.join(10)
        if self._proc is not None:
            self._proc.join(30)
            if self._proc.is_alive():
                self._proc.kill()
        self._fail("the agent engine is closed")


def make_engine(lab: Lab, *, in_process: bool | None = None) -> Engine:
    """A `ProcessEngine` when the Lab's index can be shared (the desktop app), else a `LocalEngine`."""
    if in_process is None:
        in_process = not ProcessEngine.supported(lab)
    return LocalEngine(lab) if in_process else ProcessEngine(lab)


def _index_share(lab: Lab) -> Callable[[], str | tuple[str, bytes]]:
    """How the child reaches the lab's index: the Chroma server's URL, or the index process's socket."""
    url = lab.index_url
    if url is not None:
        return lambda: url
    from memory.index_process import ChromaProcessIndex

    index = lab.store.index  # supported(): without a URL, the index process's client
    if not isinstance(index, ChromaProcessIndex):
        raise EngineError(f"the engine process cannot share a {type(index).__name__}")
    return index.share
