"""Ambient agents: event sources, agents that run on them, the agent inbox, durable forkable runs."""

from agent_core.ambient.agents import AmbientAgent
from agent_core.ambient.events import CalendarSource, EmailSource, Event, EventSource, EventStream, JsonSource
from agent_core.ambient.hub import AmbientHub, coerce_like
from agent_core.ambient.inbox import AskRate, AskWindow, Inbox, InboxItem, ask_rate

__all__ = [
    "AmbientAgent",
    "AmbientHub",
    "AskRate",
    "AskWindow",
    "CalendarSource",
    "EmailSource",
    "Event",
    "EventSource",
    "EventStream",
    "Inbox",
    "InboxItem",
    "JsonSource",
    "ask_rate",
    "coerce_like",
]
