"""The missing X11 libraries are named with their Debian packages instead of Qt's abort."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from desktop import platform_check as pc


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ],
)
def test_sonames_map_to_debian_packages(soname: str, package: str) -> None:
    assert pc.debian_package(soname) == package


def test_ldd_output_names_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    out = (
        "\tlibxcb-icccm.so.4 => not found\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\n"
        "\tlibxcb-keysyms.so.1 => not found\n"
    )
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, out, ""))
    missing = pc.missing_libraries(plugin)
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    message = pc.missing_message(missing)
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in message and "offscreen" in message


def test_only_x11_is_checked() -> None:
    assert not pc.wants_xcb({"QT_QPA_PLATFORM": "offscreen"})
    assert pc.wants_xcb({"QT_QPA_PLATFORM": "xcb"}) == pc.sys.platform.startswith("linux")


def test_the_app_exits_with_the_message_instead_of_qt_aborting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop import app

    monkeypatch.setattr(pc, "check_window_system", lambda: pc.missing_message(["libxcb-icccm.so.4"]))
    assert app.run_gui([]) == 3
    assert "libxcb-icccm4" in capsys.readouterr().err
