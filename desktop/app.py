"""`agent-ux-lab`: the GUI by default, the headless CLI when given a subcommand.

Subcommands never import Qt, so scripts and benchmarks run on machines without a display and start
fast. The GUI builds the (cheap) Lab on the GUI thread and warms memory up on a worker, so the
window is on screen before MiniLM and Chroma have loaded.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent_core.lab import Lab
    from desktop.main_window import MainWindow
    from desktop.prebuild import IdlePrebuilder
    from ui_patterns.common import LabContext

DEMO_MESSAGES = ("My name is Ada and I live in Lisbon.", "What do you remember about me?")
SCREENSHOT_SIZE = (1280, 800)
PREFETCH_AFTER_MS = 1500
"""Page modules are imported on a worker once the window has been up this long."""
SCREENSHOT_TIMEOUT_MS = 60_000


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        from agent_core.cli.main import main as cli_main

        return cli_main(args)
    return run_gui(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="agent-ux-lab",
        description="Agent UX Lab. Without a subcommand the desktop app starts; "
        "subcommands (chat, memory, …) run headless: agent-ux-lab chat --help.",
    )
    p.add_argument("--data-dir", type=Path, default=None, help="where the SQLite file and Chroma index live")
    p.add_argument("--theme", choices=("light", "dark"), default=None)
    p.add_argument("--pattern", default=None, help="page to open first (chat, traces, memory, …)")
    p.add_argument(
        "--screenshot",
        type=Path,
        default=None,
        metavar="OUT.png",
        help="run a short scripted demo with an instant simulator, save the window, and exit",
    )
    p.add_argument(
        "--size",
        type=_size,
        default=None,
        metavar="WxH",
        help=f"window size, e.g. 1024x640 (with --screenshot the default is {SCREENSHOT_SIZE[0]}x{SCREENSHOT_SIZE[1]})",
    )
    return p


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, e.g. 1024x640, not {text!r}") from None
    if w < 320 or h < 240:
        raise argparse.ArgumentTypeError(f"{text} is too small (at least 320x240)")
    return w, h


def run_gui(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from desktop.platform_check import check_window_system

    problem = check_window_system()
    if problem:  # Qt would abort with a page of plugin errors: name the packages instead
        print(problem, file=sys.stderr)
        return 3
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from agent_core.lab import default_data_dir
    from agent_core.runtime import crashlog
    from agent_core.runtime.settings import Settings
    from agent_core.simulator import SimConfig
    from desktop.main_window import MainWindow
    from desktop.theme import app_icon, apply_theme
    from ui_patterns.common import LabContext, favour_gui_thread, settle_heap

    os.umask(0o077)  # the data dir, exports and traces hold someone's memory: user-only files
    favour_gui_thread()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Agent UX Lab")
    app.setOrganizationName("AgentUXLab")
    app.setWindowIcon(app_icon())
    data_dir = args.data_dir or default_data_dir()
    crashed = [(p, what) for p in ("app", "engine") if (what := crashlog.last_fatal(data_dir, p))]
    crashlog.install(data_dir, "app")
    settings = Settings.load(data_dir)
    if args.screenshot:
        settings.sim = SimConfig.instant()  # in memory only: a demo must not change the user's settings
    if args.theme:
        settings.theme = args.theme
    apply_theme(app, settings.theme)
    lab = _open_lab(data_dir, settings)
    if lab is None:
        return 2
    ctx = LabContext(lab)
    window = MainWindow(ctx, initial=args.pattern)
    for process, what in crashed:
        window.status.note_crash(what, crashlog.log_path(data_dir, process))
    if settings.problems:
        window.status.note_warning(
            "settings.json had bad values; defaults used", "\n".join(settings.problems)
        )
    if args.size or args.screenshot:
        window.resize(*(args.size or SCREENSHOT_SIZE))
    if args.screenshot:
        _screenshot_class()(app, window, ctx, lab, args.screenshot).arm()
    window.show()
    QTimer.singleShot(0, settle_heap)
    ctx.ready_changed.connect(lambda *_: settle_heap())
    ctx.warm_up_async()
    if not args.screenshot:  # the other pages, once the first one is on screen
        QTimer.singleShot(PREFETCH_AFTER_MS, lambda: _prefetch_and_prebuild(window))
    try:
        return app.exec()
    finally:
        window.shutdown()
        lab.close()


def _prefetch_and_prebuild(window: MainWindow) -> IdlePrebuilder:
    """Import the pages' modules on a worker, then build the pages while the person is idle."""
    from desktop.patterns import PATTERNS, prefetch_pages
    from desktop.prebuild import IdlePrebuilder

    imports = prefetch_pages()
    prebuild = IdlePrebuilder(
        [e.key for e in PATTERNS], window.build_page, lambda: not imports.is_alive(), window
    )
    prebuild.start()
    return prebuild


def _open_lab(data_dir: Path, settings: object) -> Lab | None:
    """The Lab (Chroma in its own process: it holds the GIL per call). A damaged database is
    named, and the user may move it aside to start empty; it is never deleted."""
    from PySide6.QtWidgets import QMessageBox

    from agent_core.lab import Lab
    from memory.db import DatabaseFileError

    while True:
        try:
            return Lab(data_dir, settings, chroma_process=True)  # type: ignore[arg-type]
        except DatabaseFileError as exc:
            box = QMessageBox(QMessageBox.Icon.Critical, "Agent UX Lab cannot open its data", str(exc))
            move = box.addButton("Move it aside and start empty", QMessageBox.ButtonRole.DestructiveRole)
            box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is not move:
                return None
            stamp = time.strftime("%Y%m%d-%H%M%S")
            for suffix in ("", "-wal", "-shm"):
                path = data_dir / f"lab.sqlite3{suffix}"
                if path.exists():
                    path.rename(path.with_name(f"{path.name}.damaged-{stamp}"))


def _page_demo(page: object) -> Callable[..., None] | None:
    """A page's own scripted demo, `<its package>.demo:run_demo(page, wait_until)`, if it ships one."""
    package = type(page).__module__.rpartition(".")[0]
    try:
        return getattr(importlib.import_module(f"{package}.demo"), "run_demo", None)
    except ImportError:
        return None


def _screenshot_class() -> type:
    """Defined lazily so that importing this module (the CLI path) never imports Qt."""
    from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal, Slot

    from ui_patterns.common import run_call

    class Screenshot(QObject):
        """Waits for memory, runs two real agent turns, lets the page catch up, then saves the window.

        A QObject living on the GUI thread, so signals from workers arrive here queued.
        """

        demo_done = Signal()

        def __init__(self, app: object, window: MainWindow, ctx: LabContext, lab: Lab, out: Path) -> None:
            super().__init__(window)
            self.app, self.window, self.ctx, self.lab, self.out = app, window, ctx, lab, out
            self.saved = False
            self.demo_done.connect(self._settle)

        def arm(self) -> None:
            self.ctx.ready_changed.connect(self._on_ready)
            QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, self.save)

        @Slot(bool, str)
        def _on_ready(self, ok: bool, _message: str) -> None:
            if not ok:
                self.save()
                return
            page = self.window.current_page()
            page_demo = _page_demo(page)
            if page_demo is None:
                run_call(self._demo, None, lambda _e: self.demo_done.emit())
                return
            try:
                page_demo(page, self._wait_until)
            finally:
                self._settle()

        def _wait_until(self, predicate: object, timeout_s: float = 30.0) -> None:
            """What a page's `run_demo` waits with: spin the event loop until done (or give up)."""
            deadline = time.monotonic() + timeout_s
            loop = QEventLoop()
            while not predicate() and time.monotonic() < deadline:  # type: ignore[operator]
                QTimer.singleShot(20, loop.quit)
                loop.exec()

        def _demo(self) -> None:
            """Runs on a worker: the agent path the chat page uses, then the background memory jobs."""
            from agent_core.chat.agent import ChatAgent

            profile = self.ctx.profile
            agent = ChatAgent(self.lab, profile)
            conv = self.lab.conversations.create(profile, "Screenshot demo").id
            for text in DEMO_MESSAGES:
                agent.turn(conv, text)
                self.lab.background.flush()  # so the second turn can recall what the first one taught
            self.demo_done.emit()

        @Slot()
        def _settle(self) -> None:
            page = self.window.current_page()
            for hook in ("refresh", "focus_latest"):
                fn = getattr(page, hook, None)
                if callable(fn):
                    fn()
            # pages that load on a worker (the trace viewer) say so: let them finish first
            self._wait_until(lambda: not getattr(page, "loading", False), 10.0)
            QTimer.singleShot(400, self.save)

        @Slot()
        def save(self) -> None:
            if self.saved:
                return
            self.saved = True
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.window.grab().save(str(self.out))
            self.window.close()
            self.app.quit()  # type: ignore[attr-defined]

    return Screenshot


if __name__ == "__main__":
    sys.exit(main())
