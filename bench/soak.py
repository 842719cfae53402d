"""Soak (opt-in, not in CI): ambient agents and spreadsheet agents working together for N minutes.

The simulator answers every call (with a real time-to-first-token), the ambient page and a sheet
view are attached offscreen, and every --sample-s seconds the process's RSS and the GUI stall
probe's worst and p99 lateness over that window are sampled. A steady RSS and flat stall curves
are the pass criteria. Every sample is appended to --samples as it is taken (a crash leaves them
behind: `--plot-from FILE` draws them); the curve is drawn after the run, into
assets/screenshots/soak.png.

    .venv/bin/python bench/soak.py [--minutes 20] [--sample-s 5] [--rows 60] [--ttft-ms 40]
        [--samples soak-samples.jsonl] [--plot-from FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from agent_core.ambient import AmbientAgent, CalendarSource, EmailSource, Event  # noqa: E402
from agent_core.lab import Lab  # noqa: E402
from agent_core.runtime.engine import Engine  # noqa: E402
from agent_core.runtime.settings import Settings  # noqa: E402
from agent_core.sheet import Column, RunHandle, Sheet, SheetExecutor  # noqa: E402
from agent_core.sheet.llm_runner import EngineCellRunner  # noqa: E402
from agent_core.sheet.planner import INDUSTRY_OPTIONS  # noqa: E402
from agent_core.sheet.simfill import load_companies  # noqa: E402
from agent_core.simulator import SimConfig  # noqa: E402
from ui_patterns.ambient.page import AmbientPage  # noqa: E402
from ui_patterns.common import LabContext, StallProbe, favour_gui_thread, settle_heap, workers  # noqa: E402
from ui_patterns.spreadsheet.model import SheetModel  # noqa: E402

KINDS = ["triage", "researcher", "scheduler", "triage"]
OUT = ROOT / "assets" / "screenshots" / "soak.png"


def rss_mb(pid: int | str = "self") -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # the process just ended
        pass
    return 0.0


def children_rss_mb() -> float:
    """The app's child processes: the agent engine and the Chroma index."""
    pids: set[str] = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            pids.update((task / "children").read_text().split())
        except OSError:
            continue
    return sum(rss_mb(pid) for pid in pids)


def new_sheet(rows: int, round_no: int) -> Sheet:
    companies = load_companies()
    sheet = Sheet([Column("Company")])
    for i in range(rows):
        sheet.add_row({"Company": f"{companies[(i + round_no) % len(companies)].name} #{round_no}"})
    sheet.add_column(Column("Industry", "agent", "Industry of {Company}", "category", INDUSTRY_OPTIONS))
    sheet.add_column(Column("Summary", "agent", "Summary of {Company}", "text"))
    return sheet


class SheetLoop:
    """One sheet after another on a worker thread, each shown in the view as it fills."""

    def __init__(self, engine: Engine, view: QTableView, rows: int) -> None:
        self.view, self.rows = view, rows
        self.runner = EngineCellRunner(engine)  # cells run in the engine's child, as in the app
        self.round = 0
        self.cells = 0
        self.model = SheetModel(None)  # one model, a sheet after another: as the spreadsheet page
        self.model.show_in(view)
        self.handle: RunHandle | _Planning | None = None
        self.executor: SheetExecutor | None = None

    def tick(self) -> None:
        if self.handle is not None and not self.handle.done:
            return
        if self.executor is not None:
            self.cells += self.rows * 2
            self.executor.shutdown()
        self.round += 1
        sheet = new_sheet(self.rows, self.round)
        self.model.set_sheet(sheet)
        executor = self.executor = SheetExecutor(sheet, self.runner, concurrency=4)
        self.handle = PLANNING

        def plan() -> None:  # claiming the cells runs off the GUI thread, as the page does it
            self.handle = executor.run_all()

        threading.Thread(target=plan, daemon=True).start()

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown()
        self.model.close()


class _Planning:
    """Stands in for the RunHandle while the worker plans the sheet (not done: tick() waits)."""

    done = False


PLANNING = _Planning()


def events(round_no: int, per_source: int) -> list[Event]:
    out: list[Event] = []
    for source in (EmailSource(), CalendarSource()):
        base = source.events()
        out += [base[i % len(base)].replayed(f"s{round_no}-{i}") for i in range(per_source)]
    return out


def plot(samples: list[dict], minutes: float) -> None:
    """Draw the curve (after the run: matplotlib's own caches would read as the app's growth)."""
    from matplotlib.figure import Figure

    t = [s["t"] / 60 for s in samples]
    fig = Figure(figsize=(9, 6))
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    ax1.plot(t, [s["rss"] for s in samples], color="tab:blue", label="GUI process")
    ax1.plot(t, [s["child_rss"] for s in samples], color="tab:green", label="engine + index processes")
    ax1.set_ylabel("RSS (MB)")
    ax1.legend()
    ax1.set_title(f"Soak: ambient agents + spreadsheet agents, {minutes:g} min (simulator, offscreen GUI)")
    ax1.grid(alpha=0.3)
    ax2.plot(t, [s["stall_max"] for s in samples], label="GUI stall max", color="tab:red")
    ax2.plot(t, [s["stall_p99"] for s in samples], label="GUI stall p99", color="tab:orange")
    ax2.set_ylabel("stall per window (ms)")
    ax2.set_xlabel("minutes")
    ax2.legend()
    ax2.grid(alpha=0.3)
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=20.0)
    ap.add_argument("--sample-s", type=float, default=5.0)
    ap.add_argument("--rows", type=int, default=60, help="rows per sheet (2 agent columns each)")
    ap.add_argument("--events", type=int, default=10, help="events per source per ambient round")
    ap.add_argument("--ttft-ms", type=float, default=40.0)
    ap.add_argument("--samples", type=Path, default=Path("soak-samples.jsonl"), help="where samples go")
    ap.add_argument("--plot-from", type=Path, help="only draw the curve of a samples file and exit")
    ap.add_argument("--no-ambient", action="store_true", help="spreadsheet only (to bisect a finding)")
    ap.add_argument("--no-sheet", action="store_true", help="ambient only")
    args = ap.parse_args()
    if args.plot_from:
        samples = [json.loads(line) for line in args.plot_from.read_text().splitlines() if line]
        plot(samples, samples[-1]["t"] / 60)
        return 0
    favour_gui_thread()
    app = QApplication.instance() or QApplication(sys.argv)
    settings = Settings(
        embedder="hash-256", sim=SimConfig(ttft_ms=args.ttft_ms, tokens_per_s=0.0), debounce_s=0.5
    )
    settings.provider.max_retries = 0
    lab = Lab(Path(tempfile.mkdtemp(prefix="soak-")), settings, chroma_process=True)  # as the app
    lab.warm_up()
    ctx = LabContext(lab)
    agents = [AmbientAgent(f"{k}-{i}", k, f"soak.{i}", "background") for i, k in enumerate(KINDS)]
    page = AmbientPage(ctx, agents=agents, events=[])
    page.resize(1200, 800)
    page.show()
    view = QTableView()
    view.resize(900, 600)
    view.show()
    sheets = SheetLoop(ctx.engine, view, args.rows)
    probe = StallProbe(10)
    settle_heap()  # as the app does once its window is up
    probe.start()
    samples: list[dict] = []
    t0 = time.perf_counter()
    state = {"next_sample": t0 + args.sample_s, "ambient_rounds": 0}
    log = open(args.samples, "w", encoding="utf-8")  # noqa: SIM115 - open for the whole run
    end = t0 + args.minutes * 60

    def feed() -> None:  # on a timer inside app.exec(), as the app's own event loop runs
        if time.perf_counter() >= end:
            app.quit()
            return
        if not args.no_ambient and page.controller.idle():
            state["ambient_rounds"] += 1
            for e in events(state["ambient_rounds"], args.events):
                page.controller.deliver(e)
        if not args.no_sheet:
            sheets.tick()
        if time.perf_counter() >= state["next_sample"]:
            state["next_sample"] += args.sample_s
            sample()

    def sample() -> None:
        s = {
            "t": time.perf_counter() - t0,
            "rss": rss_mb(),
            "child_rss": children_rss_mb(),
            "stall_max": probe.max_stall_ms,
            "stall_p99": probe.percentile(99),
            "ticks": len(probe.samples),
            "qobjects": len(workers.signals_owner().children()),  # live worker signal objects
            # Python 3.11's True/False are not immortal: a C extension over-releasing them shows
            # up here as a falling count long before the interpreter aborts in bool_dealloc.
            "true_refs": sys.getrefcount(True),
            "false_refs": sys.getrefcount(False),
        }
        samples.append(s)
        probe.samples.clear()
        log.write(json.dumps(s) + "\n")
        log.flush()
        print(f"{s['t']:7.0f}s  RSS {s['rss']:7.1f} MB (children {s['child_rss']:6.1f})  stall max {s['stall_max']:6.1f} ms  "
              f"p99 {s['stall_p99']:5.1f} ms ({s['ticks']} ticks)  ambient rounds {state['ambient_rounds']}  "
              f"sheets {sheets.round}  worker signals {s['qobjects']}  refs True/False {s['true_refs']}/{s['false_refs']}",
              flush=True)  # fmt: skip

    timer = QTimer()
    timer.timeout.connect(feed)
    timer.start(5)
    app.exec()
    timer.stop()
    ambient_rounds = state["ambient_rounds"]
    probe.stop()
    log.close()
    sheets.close()
    page.shutdown()
    ctx.close()
    lab.close()
    view.close()
    plot(samples, args.minutes)
    first, last = samples[0]["rss"], samples[-1]["rss"]
    c_first, c_last = samples[0]["child_rss"], samples[-1]["child_rss"]
    print(f"RSS {first:.0f} → {last:.0f} MB ({last - first:+.0f}), children {c_first:.0f} → {c_last:.0f} MB "
          f"({c_last - c_first:+.0f}); stall max over the run "
          f"{max(s['stall_max'] for s in samples):.0f} ms; ambient rounds {ambient_rounds}, "
          f"sheet cells {sheets.cells}; curve: {OUT.relative_to(ROOT)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
