"""Whole-project memory files: every profile's export plus settings (never secrets) in one file.

Vectors are not stored: they are derived data and rebuild from the text on import (with whatever
embedder the importing app uses). Every profile is schema-checked before anything is written, so a
bad file changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from memory.clock import utcnow
from memory.procedural import ProceduralMemory
from memory.store import MemoryStore
from memory.transfer import (
    FORMAT,
    VERSION,
    ImportFileError,
    _check,
    export_profile,
    import_profile,
    read_export,
)

PROJECT_FORMAT = "agent-ux-lab.project"
PROJECT_VERSION = 1
SECRET_WORDS = ("api_key", "secret", "token", "password")


def _no_secrets(obj: object) -> object:
    if isinstance(obj, dict):
        return {k: _no_secrets(v) for k, v in obj.items() if not any(w in k.lower() for w in SECRET_WORDS)}
    if isinstance(obj, list):
        return [_no_secrets(v) for v in obj]
    return obj


def export_project(
    store: MemoryStore,
    procedural: ProceduralMemory,
    *,
    settings: dict | None = None,
    profiles: list[str] | None = None,
) -> dict:
    """All profiles (or the given ones) in one portable, versioned document."""
    names = (
        profiles
        if profiles is not None
        else sorted(set(store.namespaces()) | _instruction_namespaces(procedural))
    )
    return {
        "format": PROJECT_FORMAT,
        "version": PROJECT_VERSION,
        "exported_at": utcnow().isoformat(),
        "settings": _no_secrets(settings or {}),
        "vectors": {
            "included": False,
            "embedder": store.embedder.name,
            "note": "rebuilt from text on import",
        },
        "profiles": {ns: export_profile(store, procedural, ns) for ns in names},
    }


def _instruction_namespaces(procedural: ProceduralMemory) -> set[str]:
    from sqlmodel import Session, select

    from memory.models import Instruction

    with Session(procedural.engine) as s:
        return set(s.exec(select(Instruction.namespace).distinct()))


def check_project(data: object) -> dict:
    if not isinstance(data, dict):
        raise ImportFileError("not a project export: the top level must be a JSON object")
    if data.get("format") != PROJECT_FORMAT:
        raise ImportFileError(f"not a project export: 'format' must be {PROJECT_FORMAT!r}")
    version = data.get("version")
    if not isinstance(version, int):
        raise ImportFileError("'version' must be an integer")
    if version > PROJECT_VERSION:
        raise ImportFileError(
            f"this project file is format version {version}; this app reads up to {PROJECT_VERSION}. Update the app."
        )
    profiles = data.get("profiles")
    if not isinstance(profiles, dict) or not all(isinstance(k, str) and k for k in profiles):
        raise ImportFileError("'profiles' must be an object of profile name → profile export")
    for name, prof in profiles.items():
        try:
            _check(prof)
        except ImportFileError as exc:
            raise ImportFileError(f"profile {name!r}: {exc}") from None
    return data


def load(source: Path | str | object) -> object:
    """The parsed export: `source` itself when it is not a path (the caller checks its shape)."""
    if not isinstance(source, str | Path):
        return source
    return read_export(source)  # a folder, non-UTF-8 or too deep a file: one clear line


def import_any(
    store: MemoryStore, procedural: ProceduralMemory, source: Path | str | object, profile: str | None = None
) -> dict:
    """Import a profile file (into `profile`) or a project file (each profile under its own name)."""
    data = load(source)
    if isinstance(data, dict) and data.get("format") == PROJECT_FORMAT:
        data = check_project(data)
        reports = {
            name: import_profile(store, procedural, prof, name) for name, prof in data["profiles"].items()
        }
        return {
            "kind": "project",
            "profiles": reports,
            "added": sum(r["added"] for r in reports.values()),
            "skipped": sum(r["skipped"] for r in reports.values()),
            "conflicts": [{**c, "profile": n} for n, r in reports.items() for c in r["conflicts"]],
            "settings": data.get("settings", {}),
        }
    if isinstance(data, dict) and data.get("format") == FORMAT:
        target = profile or str(data.get("profile") or "default")
        return {"kind": "profile", "profile": target, **import_profile(store, procedural, data, target)}
    raise ImportFileError(f"not a memory export: 'format' must be {FORMAT!r} or {PROJECT_FORMAT!r}")


__all__ = ["PROJECT_FORMAT", "PROJECT_VERSION", "VERSION", "check_project", "export_project", "import_any"]
