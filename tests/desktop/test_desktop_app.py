"""The entry point: subcommands stay Qt-free; --screenshot renders offscreen and exits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_py(code: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def fast_data_dir(path: Path) -> Path:
    """A data dir whose settings make the run quick: hash embedder, instant simulator, short debounce."""
    path.mkdir(parents=True)
    settings = {"embedder": "hash-256", "debounce_s": 0.05, "sim": {"ttft_ms": 0, "tokens_per_s": 0}}
    (path / "settings.json").write_text(json.dumps(settings))
    return path


def test_subcommand_goes_to_the_cli_without_importing_qt() -> None:
    """`chat --help` proves the delegation cheaply; the chat command itself is the CLI's to test."""
    code = (
        "import sys\n"
        "from desktop.app import main\n"
        "try:\n"
        "    main(['chat', '--help'])\n"
        "except SystemExit as exc:\n"
        "    print('EXIT', exc.code)\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt was imported'\n"
    )
    proc = run_py(code, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "EXIT 0" in proc.stdout and "agent-ux-lab chat" in proc.stdout


def test_screenshot_renders_offscreen_and_exits(tmp_path: Path) -> None:
    data = fast_data_dir(tmp_path / "d")
    out = tmp_path / "shot.png"
    code = (
        "import sys\n"
        "from desktop.app import main\n"
        f"sys.exit(main(['--data-dir', {str(data)!r}, '--pattern', 'traces', '--screenshot', {str(out)!r}]))\n"
    )
    proc = run_py(code, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((data / "settings.json").read_text())
    assert saved["sim"]["ttft_ms"] == 0 and (data / "window.ini").exists()  # demo left settings alone
    created = [p for p in data.rglob("*") if p.name != "settings.json"]  # settings.json: this test's
    assert created and not [p for p in created if p.stat().st_mode & 0o077], "files others can read"
