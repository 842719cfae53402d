"""Wiring of the "trust" tabs into the inspector: time travel, feedback, quality, contradictions.

Kept apart from page.py so the page stays small: this adds the tabs, links provenance clicks to
the page's `open_run` signal and turns deletion audits into the page's banner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.inspector.contradictions_tab import ContradictionsTab
from desktop.inspector.feedback_tab import FeedbackTab
from desktop.inspector.quality_tab import QualityTab
from desktop.inspector.timetravel_tab import TimeTravelTab
from memory.audit import AuditReport
from ui_patterns.common.context import LabContext

if TYPE_CHECKING:
    from desktop.inspector.page import MemoryInspector


@dataclass
class TrustTabs:
    timetravel: TimeTravelTab
    feedback: FeedbackTab
    quality: QualityTab
    contradictions: ContradictionsTab

    @property
    def refreshable(self) -> tuple:
        """Tabs that reload when shown (they are not live-updated)."""
        return (self.timetravel, self.feedback, self.quality)


def add_trust_tabs(page: MemoryInspector, ctx: LabContext) -> TrustTabs:
    tabs = TrustTabs(
        TimeTravelTab(ctx, page.jobs, page),
        FeedbackTab(ctx, page.jobs, page),
        QualityTab(ctx, page.jobs, page),
        ContradictionsTab(page.jobs, page),
    )
    page.tabs.addTab(tabs.timetravel, "Time travel")
    page.tabs.addTab(tabs.feedback, "Feedback")
    page.tabs.addTab(tabs.quality, "Quality")
    page.tabs.addTab(tabs.contradictions, "Contradictions")

    def show_audit(report: object) -> None:
        if isinstance(report, AuditReport):
            page._show_banner(f"Deleted. Deletion audit: {report.summary()}", error=not report.clean)

    for tab in page.memory_tabs:
        tab.run_requested.connect(page.open_run)
        tab.audited.connect(show_audit)
    tabs.quality.pruned.connect(lambda _n: page.schedule_refresh())
    tabs.feedback.applied.connect(lambda _out: page.schedule_refresh())
    for t in (tabs.timetravel, tabs.feedback, tabs.quality, tabs.contradictions):
        t.failed.connect(lambda msg: page._show_banner(msg, error=True))
    return tabs
