"""Crash reports: a native crash leaves every thread's Python stack, user-only, secrets scrubbed."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from agent_core.runtime import crashlog

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, data_dir: Path) -> subprocess.CompletedProcess:
    prelude = f"from agent_core.runtime import crashlog; crashlog.install({str(data_dir)!r}, 'app')\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_a_native_crash_is_reported_and_noticed_next_time(tmp_path: Path) -> None:
    done = run_python("import faulthandler; faulthandler._sigsegv()", tmp_path)
    assert done.returncode != 0
    log = crashlog.log_path(tmp_path)
    text = log.read_text()
    assert "Fatal Python error: Segmentation fault" in text and "most recent call first" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert crashlog.last_fatal(tmp_path) == "Segmentation fault"
    assert crashlog.last_fatal(tmp_path, "engine") is None
    assert run_python("pass", tmp_path).returncode == 0  # a clean session after it
    assert crashlog.last_fatal(tmp_path) is None


def test_uncaught_exceptions_are_logged_without_secrets(tmp_path: Path) -> None:
    key = "sk-live" + "A1b2C3d4E5f6G7h8"
    code = (
        "import threading\n"
        f"def boom(): raise RuntimeError('provider refused key {key}')\n"
        "t = threading.Thread(target=boom, name='agent-worker'); t.start(); t.join()\n"
        f"raise ValueError('Authorization: Bearer {key}')\n"
    )
    done = run_python(code, tmp_path)
    assert done.returncode == 1
    text = crashlog.log_path(tmp_path).read_text()
    assert "uncaught exception in thread agent-worker" in text and "RuntimeError" in text
    assert "uncaught exception" in text and "ValueError" in text
    assert key not in text and "[secret]" in text
    assert crashlog.last_fatal(tmp_path) is None  # an exception is reported, it is not a crash


def test_the_status_bar_says_the_last_session_crashed(lab, qtbot: QtBot, tmp_path: Path) -> None:  # noqa: ANN001
    from desktop.status_bar import LabStatusBar
    from ui_patterns.common import LabContext

    bar = LabStatusBar(LabContext(lab))
    qtbot.addWidget(bar)
    label = bar.note_crash("Segmentation fault", crashlog.log_path(tmp_path))
    bar.show()
    assert label.isVisible() and "crashed (Segmentation fault)" in label.text()
    assert "crash-app.log" in label.toolTip()
    bar.shutdown()
