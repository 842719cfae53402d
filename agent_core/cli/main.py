"""Headless command line: researchers script the lab with it (the GUI is the default without one)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

from agent_core.runtime.settings import Settings

# Each module has `register(subparsers)`; a new command is one line here.
COMMAND_MODULES = [
    "agent_core.cli.chat",
    "agent_core.cli.memory",
    "agent_core.cli.bench",
    "agent_core.cli.ambient",
    "agent_core.cli.sheet",
    "agent_core.cli.agui",
]


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=None, help="where the SQLite file and Chroma index live")
    p.add_argument("--profile", default="default", help="memory namespace (user profile)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--embedder", default=None, help="minilm (default), hash or openai[:model]")
    p.add_argument("--db", default=None, help="database URL (default: SQLite in the data dir)")
    p.add_argument(
        "--chroma", default=None, help="Chroma folder or http://host:port (default: in the data dir)"
    )
    p.add_argument(
        "--model-path", type=Path, default=None, help="a GGUF file for --provider local (default: SmolLM2)"
    )


def load_settings(data_dir: Path) -> Settings:
    """The data dir's settings; each value that had to be replaced by its default is a warning
    line on stderr (the file stays as it is), so a typo never stops the command."""
    settings = Settings.load(data_dir)
    for problem in settings.problems:
        print(f"warning: settings.json: {problem}", file=sys.stderr)
    return settings


def make_lab(  # noqa: ANN201 - Lab, imported lazily
    data_dir: Path, settings: Settings, *, db_url: str | None = None, chroma: str | None = None
):
    """A Lab, or one clear line and exit code 2 when its SQLite file is not a database."""
    from agent_core.lab import Lab
    from memory.db import DatabaseFileError

    try:
        return Lab(data_dir, settings, db_url=db_url, chroma=chroma)
    except DatabaseFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def open_lab(args: argparse.Namespace, **overrides: object):  # noqa: ANN201 - Lab, imported lazily
    from agent_core.lab import default_data_dir

    data_dir = args.data_dir or default_data_dir()
    settings = load_settings(data_dir)
    if getattr(args, "embedder", None):
        settings.embedder = args.embedder
    if getattr(args, "provider", None):
        settings.provider.kind = args.provider
    if getattr(args, "base_url", None):
        settings.provider.base_url = args.base_url
    if getattr(args, "model", None):
        settings.provider.model = args.model
    if getattr(args, "model_path", None):
        settings.provider.model_path = str(args.model_path)
    for k, v in overrides.items():
        setattr(settings, k, v)
    errors = settings.validate()
    if errors:
        raise SystemExit("bad settings: " + "; ".join(errors))
    lab = make_lab(data_dir, settings, db_url=getattr(args, "db", None), chroma=getattr(args, "chroma", None))
    lab.warm_up()
    return lab


def emit(args: argparse.Namespace, obj: object, text: str) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str) if args.json else text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agent-ux-lab", description="Agent UX Lab: feel and measure how agents remember."
    )
    sub = parser.add_subparsers(dest="command")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    old = os.umask(0o077)  # the data dir, exports and traces hold someone's memory: user-only files
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    finally:
        os.umask(old)


if __name__ == "__main__":
    sys.exit(main())
