"""When memory is written: the one definition of the update modes every caller shares.

`hot_path`: before the agent answers (a tool call on the turn: fresh, adds latency).
`background`: a persisted job a debounced worker runs after the conversation goes idle (no
latency, memories arrive late). `both`: facts on the hot path, the episode in the background.
`off`: nothing is written. Chat, ambient agents, the spreadsheet, the document and the Memory Lab
all take one of these.
"""

from __future__ import annotations

from enum import StrEnum


class UpdateMode(StrEnum):
    HOT_PATH = "hot_path"
    BACKGROUND = "background"
    BOTH = "both"
    OFF = "off"

    @property
    def hot(self) -> bool:
        """Does a turn write memory before it answers?"""
        return self in (UpdateMode.HOT_PATH, UpdateMode.BOTH)

    @property
    def background(self) -> bool:
        """Does a turn leave a job for the background worker?"""
        return self in (UpdateMode.BACKGROUND, UpdateMode.BOTH)


MEMORY_MODES: tuple[str, ...] = tuple(m.value for m in UpdateMode)
WRITING_MODES: tuple[str, ...] = tuple(m.value for m in UpdateMode if m is not UpdateMode.OFF)
