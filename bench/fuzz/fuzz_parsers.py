"""Coverage-guided fuzzing (atheris, libFuzzer) of the parsers that read untrusted input.

Not run in CI (tests/reliability/test_fuzz.py is the fast property-based version). One target per
run; libFuzzer flags follow it:

    .venv/bin/pip install atheris
    .venv/bin/python bench/fuzz/fuzz_parsers.py TARGET [-max_total_time=60] [-runs=N] [CORPUS_DIR]

TARGET: locomo, longmemeval, spec, memory_import, settings, tool_args, fact_json, sanitize.
An uncaught exception other than the target's documented error type is a finding (libFuzzer
saves the input as crash-*).
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import atheris  # noqa: E402
import httpx  # noqa: E402, F401 - third-party modules load uninstrumented (fast start-up)
import openai  # noqa: E402, F401
import sqlmodel  # noqa: E402, F401

with atheris.instrument_imports():
    from agent_core.genui.sanitizer import sanitize_html
    from agent_core.memlab.importers import DatasetFormatError, load_locomo, load_longmemeval
    from agent_core.runtime.llm import LLMError, ToolCall
    from agent_core.runtime.settings import Settings
    from agent_core.sheet.errors import SheetSpecError
    from agent_core.sheet.spec import parse_spec
    from memory.prompts import MemoryLLMError, clean_fact, parse_json_object
    from memory.transfer import ImportFileError, _check


def _json(data: bytes) -> object:
    try:
        return json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        return None


def _settings(data: bytes) -> None:
    obj = _json(data)
    if isinstance(obj, dict):
        Settings.from_json(obj).validate()


def _tool(data: bytes) -> None:
    args = ToolCall("c", "save_memory", data.decode("utf-8", "replace")).parsed()
    for f in args.get("facts", []) if isinstance(args.get("facts"), list) else []:
        clean_fact(f)


TARGETS: dict[str, tuple[Callable[[bytes], object], tuple[type[BaseException], ...]]] = {
    "locomo": (lambda d: load_locomo(d), (DatasetFormatError,)),
    "longmemeval": (lambda d: load_longmemeval(d), (DatasetFormatError,)),
    "spec": (lambda d: parse_spec(_json(d), input_columns=["company"]), (SheetSpecError,)),
    "memory_import": (lambda d: _check(_json(d)), (ImportFileError,)),
    "settings": (_settings, ()),
    "tool_args": (_tool, (LLMError,)),
    "fact_json": (lambda d: parse_json_object(d.decode("utf-8", "replace"), "fuzz"), (MemoryLLMError,)),
    "sanitize": (lambda d: sanitize_html(d.decode("utf-8", "replace")), ()),
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: fuzz_parsers.py {{{','.join(TARGETS)}}} [libFuzzer flags]")
    fn, allowed = TARGETS[sys.argv.pop(1)]

    def one(data: bytes) -> None:
        with contextlib.suppress(*allowed):
            fn(data)

    atheris.Setup(sys.argv, one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
