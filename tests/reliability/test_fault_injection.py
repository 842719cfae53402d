"""Fault injection through the real openai client against a flaky loopback server.

Safe to retry (nothing reached the user yet): 429 (honouring Retry-After), 500, timeouts — the
client retries with backoff. Not safe or pointless: a truncated stream (text was shown), malformed
tool-call JSON, empty choices — one request, a clear error. Either way the user's input, the run's
steps and the memory rows stay intact.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from faultserver import FlakyServer, flaky
from sqlalchemy import func
from sqlmodel import Session, select

from agent_core.chat.agent import ChatAgent
from agent_core.lab import Lab
from agent_core.runtime.llm import LLM, LLMError
from agent_core.runtime.runs import Run, Step
from agent_core.runtime.settings import ProviderSettings
from labkit import make_settings
from memory.models import Memory, MemoryEvent, MemoryJob

MSGS = [{"role": "user", "content": "Any plans for the weekend?"}]


def _llm(srv: FlakyServer, retries: int = 2, timeout_s: float = 0.6) -> LLM:
    return LLM(
        ProviderSettings(
            kind="openai", base_url=srv.url, model="sim-1", max_retries=retries, timeout_s=timeout_s
        )
    )


def _drain(llm: LLM) -> str:
    out = [x for x in llm.stream(MSGS) if isinstance(x, str)]
    return "".join(out)


@pytest.mark.parametrize("streaming", [False, True], ids=["json", "sse"])
def test_429_is_retried_after_retry_after(streaming: bool) -> None:
    with flaky(["429", "429", None], retry_after_s=0.3) as srv:
        llm = _llm(srv)
        text = _drain(llm) if streaming else llm.complete(MSGS).content
        assert text.strip()
        assert [f for _, f in srv.arrivals] == ["429", "429", None]
        assert all(g >= 0.27 for g in srv.gaps()), srv.gaps()  # waited as told, not the default


@pytest.mark.parametrize("streaming", [False, True], ids=["json", "sse"])
def test_500_and_timeout_are_retried_with_backoff(streaming: bool) -> None:
    with flaky(["500", "timeout", None], hang_s=2.0) as srv:
        llm = _llm(srv, timeout_s=0.5)
        t0 = time.monotonic()
        text = _drain(llm) if streaming else llm.complete(MSGS).content
        assert text.strip() and len(srv.arrivals) == 3
        gaps = srv.gaps()
        assert gaps[0] >= 0.1  # backed off before retrying the 500
        assert gaps[1] >= 0.5  # the client gave up on the hung request after its timeout
        assert time.monotonic() - t0 < 10


def test_gives_up_with_a_clear_error_after_max_retries() -> None:
    with flaky(["500", "500", "500", "500"]) as srv:
        with pytest.raises(LLMError) as err:
            _llm(srv, retries=2).complete(MSGS)
        assert err.value.kind == "status" and "500" in str(err.value)
        assert len(srv.arrivals) == 3  # first try + 2 retries
    with flaky(["429"] * 4, retry_after_s=0.05) as srv:
        with pytest.raises(LLMError) as err:
            _llm(srv, retries=1).complete(MSGS)
        assert err.value.kind == "rate_limit" and "Retry after" in str(err.value)


def _counts(lab: Lab) -> dict[str, int]:
    with Session(lab.engine) as s:
        return {
            t.__name__: s.exec(select(func.count()).select_from(t)).one()
            for t in (Memory, MemoryEvent, MemoryJob)
        }


@pytest.mark.parametrize(
    ("fault", "streaming", "kind", "words"),
    [
        ("truncate", True, "truncated", "truncated"),
        ("malformed", False, "bad_tool_json", "malformed"),
        ("malformed", True, "bad_tool_json", "malformed"),
        ("empty", False, "empty", "no choices"),
        ("empty", True, "empty", "no choices"),
    ],
)
def test_unsafe_faults_fail_once_clearly_and_keep_everything(
    tmp_path: Path, fault: str, streaming: bool, kind: str, words: str
) -> None:
    # One good turn first (it writes a memory), then the faulty one.
    with flaky([]) as srv:
        settings = make_settings(streaming=streaming)
        settings.provider = ProviderSettings(
            kind="openai", base_url=srv.url, model="sim-1", max_retries=2, timeout_s=5
        )
        lab = Lab(tmp_path / "d", settings)
        lab.warm_up()
        try:
            conv = lab.conversations.create("default").id
            agent = ChatAgent(lab, memory_mode="hot_path")
            ok = agent.turn(conv, "I live in Oslo.")
            assert not ok.error, ok.error
            before = _counts(lab)
            srv.faults = [fault, fault, fault]
            n_before = len(srv.arrivals)
            text = "My name is Ada."
            res = agent.turn(conv, text)
            assert res.error and words in res.error.lower(), res.error
            assert len(srv.arrivals) - n_before == 1  # not retried
            msgs = lab.conversations.messages(conv)
            assert [m.content for m in msgs if m.role == "user"] == ["I live in Oslo.", text]
            assert msgs[-1].role == "assistant" and msgs[-1].status == "error"
            with Session(lab.engine) as s:
                run = s.get(Run, res.run_id)
                steps = list(s.exec(select(Step).where(Step.run_id == res.run_id)))
            assert run is not None and run.status == "error" and words in (run.error or "").lower()
            assert [st.kind for st in steps][:2] == ["human_input", "memory_read"]
            assert any(st.status == "error" for st in steps), [(st.kind, st.status) for st in steps]
            assert _counts(lab) == before  # no half-written memory
            assert [m.content for m in lab.store.list("default", "semantic")] == ["Lives in Oslo"]
        finally:
            lab.close()
