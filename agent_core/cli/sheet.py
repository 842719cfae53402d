"""`agent-ux-lab sheet run|plan`: enrich a CSV with agent columns, or plan columns from a request.

Everything that can be wrong with the inputs (unknown column reference, cycle, bad output type,
out == input) is reported before any model call, and the output file is only ever written whole.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import agent_core.sheet.sim_task  # noqa: F401 - a `serve-sim` in this process answers sheet tasks too
from agent_core.cli.main import add_common, load_settings, make_lab
from agent_core.runtime.settings import PROVIDERS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sheet", help="enrich a CSV with agent columns, or plan columns from a request")
    ssub = p.add_subparsers(dest="action", required=True)
    run = ssub.add_parser("run", help="fill agent columns defined in a spec file; write a new CSV")
    run.add_argument("input", type=Path, help="input CSV (its header names the input columns)")
    run.add_argument(
        "--columns", type=Path, required=True, help="spec JSON: [{name, prompt, type, options?}]"
    )
    run.add_argument("--out", type=Path, required=True, help="output CSV (never the input file)")
    run.add_argument("--concurrency", type=int, default=8, help="rows run in parallel (default 8)")
    run.add_argument("--usd-per-1k-prompt", type=float, default=None, help="price of 1k prompt tokens")
    run.add_argument("--usd-per-1k-completion", type=float, default=None, help="price of 1k answer tokens")
    plan = ssub.add_parser("plan", help="print a columns spec for a request like 'Email each customer…'")
    plan.add_argument("request")
    plan.add_argument("--input", type=Path, required=True, help="CSV whose header names the input columns")
    for q in (run, plan):
        add_common(q)
        q.add_argument("--provider", choices=PROVIDERS, default=None, help="default: settings")
        q.add_argument("--base-url", default=None, help="OpenAI-compatible endpoint for --provider openai")
        q.add_argument("--model", default=None)
    run.set_defaults(func=cmd_run)
    plan.set_defaults(func=cmd_plan)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _open_lab(args: argparse.Namespace):  # noqa: ANN202 - Lab, imported lazily
    """A Lab without warm-up: sheets need the model client and the run store, not the memory index."""
    from agent_core.lab import default_data_dir

    data_dir = args.data_dir or default_data_dir()
    settings = load_settings(data_dir)
    if args.provider:
        settings.provider.kind = args.provider
    if args.base_url:
        settings.provider.base_url = args.base_url
    if args.model:
        settings.provider.model = args.model
    if args.embedder:
        settings.embedder = args.embedder
    errors = settings.validate()
    if errors:
        raise SystemExit("error: bad settings: " + "; ".join(errors))
    return make_lab(data_dir, settings, db_url=args.db, chroma=args.chroma)


def cmd_run(args: argparse.Namespace) -> int:
    from agent_core.sheet import SheetExecutor, SheetSpecError, export_csv, import_csv, load_spec
    from agent_core.sheet.estimate import Rates, cells_for, estimate

    if args.concurrency < 1:
        return _fail("--concurrency must be at least 1")
    if not args.input.is_file():
        return _fail(f"input file {args.input} does not exist")
    if args.out.resolve() == args.input.resolve():
        return _fail(f"refusing to write over the input file {args.input}; choose another --out")
    if not args.out.resolve().parent.is_dir():
        return _fail(f"the folder of --out ({args.out.parent}) does not exist")
    try:
        sheet = import_csv(args.input)
    except (OSError, SheetSpecError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read {args.input}: {exc}")
    try:
        columns = load_spec(args.columns, input_columns=[c.name for c in sheet.columns])
        for column in columns:
            sheet.add_column(column)
    except FileNotFoundError:
        return _fail(f"spec file {args.columns} does not exist")
    except SheetSpecError as exc:
        return _fail(f"bad spec {args.columns}: {exc}")
    defaults = Rates()
    rates = Rates(
        defaults.usd_per_1k_prompt if args.usd_per_1k_prompt is None else args.usd_per_1k_prompt,
        defaults.usd_per_1k_completion if args.usd_per_1k_completion is None else args.usd_per_1k_completion,
    )
    planned = estimate(sheet, cells_for(sheet, "all"), rates)
    print(
        f"sheet: {len(sheet)} rows × {len(columns)} agent columns; estimate {planned.describe()}",
        file=sys.stderr,
    )
    lab = _open_lab(args)
    from agent_core.sheet.llm_runner import LLMCellRunner

    runner = LLMCellRunner(lab)
    runner.start_batch(f"sheet run {args.input.name}")
    executor = SheetExecutor(
        sheet,
        runner,
        concurrency=args.concurrency,
        usd_per_1k_tokens=rates.usd_per_1k_prompt,
        usd_per_1k_completion_tokens=rates.usd_per_1k_completion,
    )
    started = time.perf_counter()
    try:
        handle = executor.run_all()
        total = len(handle.cells)
        while not handle.wait(0.5):
            _progress(handle.usage.report().total, total, started)
        _progress(handle.usage.report().total, total, started)
    except KeyboardInterrupt:
        executor.cancel()
        print("\ncancelled; nothing was written", file=sys.stderr)
        raise
    finally:
        executor.shutdown(wait=False)
        run_id = runner.end_batch()
        lab.close()
    export_csv(sheet, args.out)
    report = handle.usage.report()
    width = max([len("total"), *(len(c.name) for c in columns)])
    print(f"{'column':<{width}}  {'cells':>6}  {'errors':>6}  {'tokens':>9}  {'cost USD':>10}")
    for column in columns:
        usage = report.per_column.get(column.name)
        if usage is not None:
            print(f"{column.name:<{width}}  {usage.cells:>6}  {usage.errors:>6}  {usage.total_tokens:>9,}  {usage.cost_usd:>10.5f}")  # fmt: skip
    t = report.total
    print(f"{'total':<{width}}  {t.cells:>6}  {t.errors:>6}  {t.total_tokens:>9,}  {t.cost_usd:>10.5f}")
    print(f"wrote {args.out} in {time.perf_counter() - started:.1f}s (run {run_id})", file=sys.stderr)
    if t.errors:
        print(f"warning: {t.errors} cells failed; their values are empty in {args.out}", file=sys.stderr)
        return 1
    return 0


def _progress(usage: object, total: int, started: float) -> None:
    cells = getattr(usage, "cells", 0)
    errors = getattr(usage, "errors", 0)
    elapsed = time.perf_counter() - started
    print(f"progress: {cells}/{total} cells, {errors} errors, {elapsed:.1f}s", file=sys.stderr, flush=True)


def cmd_plan(args: argparse.Namespace) -> int:
    from agent_core.runtime.llm import LLMError
    from agent_core.sheet import SheetSpecError, import_csv
    from agent_core.sheet.llm_runner import plan_columns_with_llm
    from agent_core.sheet.spec import spec_of

    try:
        names = [c.name for c in import_csv(args.input).columns]
    except (OSError, SheetSpecError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read {args.input}: {exc}")
    lab = _open_lab(args)
    try:
        columns = plan_columns_with_llm(lab, args.request, names)
    except (LLMError, SheetSpecError) as exc:
        return _fail(str(exc))
    finally:
        lab.close()
    print(json.dumps(spec_of(columns), ensure_ascii=False, indent=2))
    return 0
