"""Spreadsheet agents at scale: rows × agent columns through the real client path, GUI attached.

    .venv/bin/python bench/bench_sheet.py [--rows 1000] [--concurrency 16] [--ttft-ms 300] [--no-record]
                                          [--engine process|local]

Every cell is a Chat Completions call through the `openai` client to the simulator, which
answers after a fixed `ttft_ms` with instant tokens, and (unless --no-record) is recorded as an
llm_call step in SQLite. As in the app, cells run in the agent engine's child process
(`--engine local`: on threads of this process, as before). An offscreen QApplication runs a
SheetModel on the sheet and a StallProbe measures how late the GUI thread gets meanwhile.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from agent_core.lab import Lab  # noqa: E402
from agent_core.runtime.engine import make_engine  # noqa: E402
from agent_core.runtime.settings import Settings  # noqa: E402
from agent_core.sheet import CellState, Column, RunHandle, Sheet, SheetExecutor  # noqa: E402
from agent_core.sheet.llm_runner import EngineCellRunner  # noqa: E402
from agent_core.sheet.planner import INDUSTRY_OPTIONS  # noqa: E402
from agent_core.sheet.simfill import load_companies  # noqa: E402
from agent_core.simulator import SimConfig  # noqa: E402
from ui_patterns.common.stall import StallProbe, favour_gui_thread, settle_heap  # noqa: E402
from ui_patterns.spreadsheet.model import SheetModel  # noqa: E402

COLUMNS = (
    Column("Industry", "agent", "Industry of {Company}", "category", INDUSTRY_OPTIONS),
    Column("Employees", "agent", "Number of employees at {Company}", "number"),
    Column("Summary", "agent", "Summary of {Company}", "text"),
    Column(
        "Email", "agent", "Email to {Contact} at {Company} about the new pricing, using: {Summary}", "text"
    ),
)


def build_sheet(rows: int) -> Sheet:
    companies = load_companies()
    sheet = Sheet([Column("Company"), Column("Contact")])
    for i in range(rows):
        sheet.add_row({"Company": companies[i % len(companies)].name, "Contact": f"Contact {i}"})
    for column in COLUMNS:
        sheet.add_column(column)
    return sheet


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--ttft-ms", type=float, default=300.0, help="fixed model latency per cell (a fast hosted model)"
    )
    parser.add_argument("--no-record", action="store_true", help="skip recording steps in SQLite")
    parser.add_argument("--engine", choices=("process", "local"), default="process")
    args = parser.parse_args()
    favour_gui_thread()  # as the desktop app does
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(embedder="hash-256", sim=SimConfig(ttft_ms=args.ttft_ms, tokens_per_s=0.0))
        settings.provider.max_retries = 0
        lab = Lab(Path(data_dir), settings, chroma_process=True)  # as the app
        sheet = build_sheet(args.rows)
        model = SheetModel(sheet)
        view = QTableView()
        model.show_in(view)
        view.resize(1200, 700)
        view.show()
        app.processEvents()
        engine = make_engine(lab, in_process=args.engine == "local")
        runner = EngineCellRunner(engine, record=not args.no_record)
        runner.start_batch("bench")
        executor = SheetExecutor(sheet, runner, concurrency=args.concurrency)
        probe = StallProbe(10)
        settle_heap()  # as the app does once its window is up
        probe.start()
        holder: dict[str, RunHandle] = {}
        started = time.perf_counter()
        # Plan on a worker thread, as the page does, so claiming thousands of cells never stalls the GUI.
        threading.Thread(target=lambda: holder.setdefault("h", executor.run_all()), daemon=True).start()
        loop = QEventLoop()
        check = QTimer()
        check.timeout.connect(lambda: loop.quit() if "h" in holder and holder["h"].done else None)
        check.start(20)
        loop.exec()
        wall = time.perf_counter() - started
        check.stop()
        deadline = time.perf_counter() + 1.0
        while time.perf_counter() < deadline and model.progress("Email").get(CellState.DONE, 0) < args.rows:
            app.processEvents()
        probe.stop()
        executor.shutdown()
        runner.end_batch()
        cells = args.rows * len(COLUMNS)
        latencies = [
            sheet.cell(r, c.name).provenance["latency_ms"] for r in range(args.rows) for c in COLUMNS
        ]
        done = sum(sheet.cell(r, c.name).state == CellState.DONE for r in range(args.rows) for c in COLUMNS)
        ideal = cells * args.ttft_ms / 1000 / args.concurrency
        report = holder["h"].usage.report().total
        print(f"sheet bench: {args.rows} rows × {len(COLUMNS)} agent columns = {cells} cells, "
              f"concurrency {args.concurrency}, simulated latency {args.ttft_ms:g} ms/call (instant tokens), "
              f"steps recorded: {not args.no_record}, engine: {args.engine}")  # fmt: skip
        print(
            f"  cells done            {done}/{cells} ({report.errors} errors), {report.total_tokens:,} tokens"
        )
        print(f"  wall time             {wall:.2f} s")
        print(f"  ideal                 {ideal:.2f} s = cells × latency / concurrency "
              f"= {cells} × {args.ttft_ms:g} ms / {args.concurrency}")  # fmt: skip
        print("                        (each worker is busy only with the model's latency; columns of a row")
        print("                         run in order and rows in parallel, so this is the lower bound)")
        print(f"  ratio wall / ideal    {wall / ideal:.2f}  (goal ≤ 1.2)")
        print(f"  cell latency          mean {statistics.fmean(latencies):.1f} ms, "
              f"p95 {sorted(latencies)[int(0.95 * (len(latencies) - 1))]:.1f} ms (client + transport + simulator)")  # fmt: skip
        print(f"  throughput            {cells / wall:.0f} cells/s")
        print(f"  GUI stall             max {probe.max_stall_ms:.1f} ms, p99 {probe.percentile(99):.1f} ms "
              f"over {len(probe.samples)} ticks of 10 ms (SheetModel + QTableView attached)")  # fmt: skip
        model.close()
        view.close()
        engine.close()
        lab.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
