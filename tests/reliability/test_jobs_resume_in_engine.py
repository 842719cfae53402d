"""Memory jobs a crash left pending run in the agent engine's child, never also in the GUI process."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session

from agent_core.lab import Lab
from agent_core.runtime.engine import ProcessEngine
from labkit import make_settings, refuse
from memory.models import MemoryJob
from ui_patterns.common import LabContext


def test_the_engine_child_resumes_what_a_crash_left(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    data = tmp_path / "data"
    crashed = Lab(data, make_settings())  # a session that acknowledged a job, then died
    facts = [
        {
            "content": "Lives in Lisbon",
            "slot": "location",
            "value": "Lisbon",
            "importance": 0.7,
            "confidence": 0.9,
        }
    ]
    with Session(crashed.engine) as s:
        s.add(
            MemoryJob(
                namespace="ada", payload_json=json.dumps({"facts": facts, "user_text": "I live in Lisbon"})
            )
        )
        s.commit()
    crashed.background.close()
    crashed.engine.dispose()

    lab = Lab(data, make_settings(), chroma_process=True)
    lab.background.process_pending = refuse  # type: ignore[method-assign]  # the GUI's Lab must not
    ctx = LabContext(lab)
    try:
        assert isinstance(ctx.engine, ProcessEngine)
        ctx.warm_up_async()
        qtbot.waitUntil(lambda: ctx.ready, timeout=120_000)
        qtbot.waitUntil(lambda: not lab.background.pending(), timeout=30_000)
        assert [m.content for m in lab.store.list("ada", "semantic")] == ["Lives in Lisbon"]
    finally:
        ctx.close()
        lab.close()
