"""Qt-free collaborative document: the user and agents edit one text at once, agents through suggestions.

Start with :class:`CollabDocument`; :mod:`actions` targets Markdown sections, :mod:`learning` turns
accepted/rejected suggestions into style rules.
"""

from __future__ import annotations

from agent_core.collab.document import CollabDocument, CollabError, ConflictError, StaleRangeError
from agent_core.collab.history import DocEvent, Snapshot
from agent_core.collab.ops import Delete, Insert, Op
from agent_core.collab.suggestions import AuthorSpan, Comment, Presence, Suggestion

__all__ = [
    "AuthorSpan",
    "CollabDocument",
    "CollabError",
    "Comment",
    "ConflictError",
    "Delete",
    "DocEvent",
    "Insert",
    "Op",
    "Presence",
    "Snapshot",
    "StaleRangeError",
    "Suggestion",
]
