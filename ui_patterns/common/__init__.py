"""What every pattern page shares: the Qt-side Lab context, workers, the stall probe, the page base."""

from ui_patterns.common.context import LabContext
from ui_patterns.common.page import PatternPage
from ui_patterns.common.reloader import Reloader
from ui_patterns.common.stall import StallProbe, favour_gui_thread, settle_heap, wait_until
from ui_patterns.common.workers import GeneratorWorker, run_call, run_generator, when_done

__all__ = [
    "GeneratorWorker",
    "LabContext",
    "PatternPage",
    "Reloader",
    "StallProbe",
    "favour_gui_thread",
    "run_call",
    "run_generator",
    "settle_heap",
    "wait_until",
    "when_done",
]
