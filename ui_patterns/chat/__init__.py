"""The chat pattern: streaming replies with memory steps, branches, feedback and background memory."""

from ui_patterns.chat.demo import demo_script
from ui_patterns.chat.page import ChatPage

__all__ = ["ChatPage", "demo_script"]
