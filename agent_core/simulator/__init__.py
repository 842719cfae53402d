"""The offline, deterministic LLM simulator behind the real `openai` client."""

from agent_core.simulator.brain import Reply, task, tool_rule
from agent_core.simulator.core import SimConfig, SimCore, count_tokens
from agent_core.simulator.transport import SimTransport

__all__ = ["Reply", "SimConfig", "SimCore", "SimTransport", "count_tokens", "task", "tool_rule"]
