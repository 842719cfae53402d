"""Cognitive architectures as small generator functions over the step recorder.

Each yields text deltas as they stream and returns the final `LLMResult`, so a caller can
`result = yield from tool_loop(...)` and forward tokens to a view.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from typing import TypedDict, Unpack

from agent_core.runtime.llm import LLM, LLMResult, ToolCall
from agent_core.runtime.runs import StepRecorder
from agent_core.simulator.brain import Reply, last_user, task

Gen = Generator[str, None, LLMResult]


class StepOptions(TypedDict, total=False):
    """What a turn passes every architecture's answering call: stream it, and when to stop."""

    stream: bool
    should_stop: Callable[[], bool]


def llm_step(
    llm: LLM,
    rec: StepRecorder,
    messages: list[dict],
    *,
    name: str = "llm",
    tools: list[dict] | None = None,
    stream: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
) -> Gen:
    """One recorded model call (streamed or not)."""
    tool_names = [t["function"]["name"] for t in tools or []]
    with rec.step("llm_call", name, {"model": llm.model, "messages": messages, "tools": tool_names}) as h:
        result: LLMResult | None = None
        if stream:
            for piece in llm.stream(messages, tools=tools, should_stop=should_stop):
                if isinstance(piece, str):
                    yield piece
                else:
                    result = piece
        else:
            result = llm.complete(messages, tools=tools)
        assert result is not None
        h.prompt_tokens, h.completion_tokens = result.prompt_tokens, result.completion_tokens
        h.output = {
            "content": result.content,
            "tool_calls": [{"name": t.name, "arguments": t.arguments} for t in result.tool_calls],
            "finish_reason": result.finish_reason,
            "ttft_ms": result.ttft_ms,
            "stopped": result.stopped,
        }
        if result.stopped:
            h.status = "stopped"
    return result


def single_call(llm: LLM, rec: StepRecorder, messages: list[dict], **kw: Unpack[StepOptions]) -> Gen:
    return (yield from llm_step(llm, rec, messages, **kw))


def tool_loop(
    llm: LLM,
    rec: StepRecorder,
    messages: list[dict],
    *,
    tools: list[dict],
    execute: Callable[[ToolCall], str],
    max_steps: int = 4,
    stream: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
) -> Gen:
    """ReAct: call the model; run the tools it asks for; feed results back; stop at a plain answer."""
    messages = list(messages)
    for i in range(max_steps):
        result = yield from llm_step(
            llm, rec, messages, name=f"llm#{i + 1}", tools=tools, stream=stream, should_stop=should_stop
        )
        if not result.tool_calls or result.stopped:
            return result
        messages.append(
            {
                "role": "assistant",
                "content": result.content or None,
                "tool_calls": [
                    {
                        "id": tc.id,
                        "type": "function",
                        "function": {"name": tc.name, "arguments": tc.arguments},
                    }
                    for tc in result.tool_calls
                ],
            }
        )
        for tc in result.tool_calls:
            messages.append({"role": "tool", "tool_call_id": tc.id, "content": execute(tc)})
        if should_stop():
            result.stopped = True
            return result
    return (yield from llm_step(llm, rec, messages, name="llm#final", stream=stream, should_stop=should_stop))


def plan_and_solve(llm: LLM, rec: StepRecorder, messages: list[dict], **kw: Unpack[StepOptions]) -> Gen:
    """First a short plan, then the answer that follows it."""
    plan = yield from llm_step(
        llm, rec, [{"role": "system", "content": PLAN_PROMPT}, *messages[1:]], name="plan"
    )
    solve = [
        *messages[:-1],
        {"role": "system", "content": f"Follow this plan:\n{plan.content}"},
        messages[-1],
    ]
    return (yield from llm_step(llm, rec, solve, name="solve", **kw))


def reflection(llm: LLM, rec: StepRecorder, messages: list[dict], **kw: Unpack[StepOptions]) -> Gen:
    """Draft, critique the draft, then revise it."""
    draft = yield from llm_step(llm, rec, messages, name="draft")
    critique = yield from llm_step(
        llm,
        rec,
        [{"role": "system", "content": CRITIQUE_PROMPT}, {"role": "user", "content": draft.content}],
        name="critique",
    )
    revise = [
        *messages,
        {"role": "assistant", "content": draft.content},
        {"role": "system", "content": f"{REVISE_PROMPT}\n{critique.content}"},
    ]
    return (yield from llm_step(llm, rec, revise, name="revise", **kw))


PLAN_PROMPT = (
    "[[task:plan]]\nWrite a short numbered plan (at most 4 steps) for answering the user's last message."
)
CRITIQUE_PROMPT = (
    "[[task:critique]]\nCritique this draft answer in one or two sentences: what is missing or wrong?"
)
REVISE_PROMPT = "Revise your previous answer using this critique. Reply with the improved answer only."


@task("plan")
def _sim_plan(req: dict, rng: random.Random) -> Reply:
    topic = last_user(req)[:60].rstrip(".?!") or "the request"
    return Reply(
        content=f"1. Restate the goal: {topic}.\n2. Recall what I know about the user.\n3. Answer directly and briefly."
    )


@task("critique")
def _sim_critique(req: dict, rng: random.Random) -> Reply:
    draft = last_user(req)
    verdict = "It answers the question" if len(draft) > 20 else "It is too thin"
    return Reply(content=f"{verdict}; it could name the memory it relies on.")
