"""Before Qt opens a window on Linux: the system libraries its xcb plugin needs, named if missing.

Without them Qt aborts with "Could not load the Qt platform plugin "xcb"" and a wall of text; a fresh
Debian or Ubuntu lacks libxcb-cursor0, libxcb-icccm4 and libxcb-keysyms1. `ldd` on the plugin lists
exactly what is missing, and each soname maps to its Debian package name.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def xcb_plugin() -> Path | None:
    import PySide6

    path = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return path if path.exists() else None


def wants_xcb(env: dict[str, str] | None = None) -> bool:
    """Whether Qt will pick its xcb (X11) plugin: Linux, no other platform asked for."""
    env = dict(os.environ) if env is None else env
    platform = env.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or (platform and not platform.startswith("xcb")):
        return False
    return bool(platform) or not env.get("WAYLAND_DISPLAY")


def missing_libraries(plugin: Path | None = None) -> list[str]:
    """The sonames the plugin needs that the dynamic loader cannot find (empty when unknown)."""
    plugin = plugin or xcb_plugin()
    if plugin is None or shutil.which("ldd") is None:
        return []
    try:
        out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(set(_NOT_FOUND.findall(out)))


def debian_package(soname: str) -> str:
    """libxcb-icccm.so.4 → libxcb-icccm4; libxkbcommon-x11.so.0 → libxkbcommon-x11-0."""
    base, _, version = soname.partition(".so")
    version = version.lstrip(".").split(".")[0]
    sep = "-" if base[-1:].isdigit() and version else ""
    return f"{base}{sep}{version}".lower()


def missing_message(sonames: list[str]) -> str:
    packages = " ".join(debian_package(s) for s in sonames)
    return (
        "Agent UX Lab cannot open a window: Qt's X11 plugin needs system libraries that are not "
        f"installed ({', '.join(sonames)}).\n"
        f"On Debian or Ubuntu:  sudo apt-get install {packages}\n"
        "(Other distributions name them similarly. Headless use needs none of them: "
        "QT_QPA_PLATFORM=offscreen, or the CLI: agent-ux-lab chat --help.)"
    )


def check_window_system() -> str | None:
    """A message naming what to install, or None when a window can open (or we cannot tell)."""
    if not wants_xcb():
        return None
    missing = missing_libraries()
    return missing_message(missing) if missing else None
