"""Is a 'fact' an attempt to plant instructions? Then it waits for the user's approval.

The text is normalised first (NFKC, lower case, zero-width characters and punctuation runs removed,
leetspeak digits read as letters), then matched in English and Chinese: overriding earlier
instructions in any wording, revealing the system prompt, role hijacks, and links that ask for
credentials. Used for chat writes and for imports alike.
"""

from __future__ import annotations

import re
import unicodedata

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
_EARLIER = r"(previous|prior|earlier|above|preceding|former|original|all|any|your|the|system)"
_ORDERS = (
    r"(instructions?|guidance|guidelines|rules|directions|directives|prompts?|orders|commands|constraints)"
)
_PATTERNS = [
    rf"\b(ignore|disregard|forget|override|bypass|skip|drop|abandon|overrule)\b(\s+\w+){{0,4}}?\s+{_EARLIER}\b(\s+\w+){{0,3}}?\s+{_ORDERS}\b",
    r"\b(reveal|leak|print|show|repeat|output|dump|expose|tell me)\b(\s+\w+){0,4}?\s+(system|hidden|secret|initial|developer)\s+(prompt|message|instructions?)",
    r"\bsystem prompt\b|\bdeveloper (message|mode)\b|\bjailbreak\b|\bdo anything now\b|<\s*/?\s*system\s*>",
    r"\bfrom now on,? (you|the assistant)\b|\byou (must|are required to|will) (now )?(obey|ignore|reveal|comply)\b",
    r"\balways (reveal|obey|comply)\b|\bact as (an? )?(unrestricted|unfiltered)\b|\bpretend (you are|to be) (the )?system\b",
    r"(忽略|无视|忘记|忘掉|不要理会|跳过)(.{0,6})(之前|以前|先前|上面|上述|所有|全部|原来)(.{0,4})(的)?(指令|指示|提示|规则|要求|命令)",
    r"(泄露|透露|显示|输出|告诉我|打印)(.{0,6})(系统提示|系统指令|提示词|隐藏提示|系统消息)",
    r"https?://\S+.{0,60}\b(log ?in|sign ?in|verify|password|passcode|account|wallet|seed phrase|bank)\b",
    r"\b(log ?in|sign ?in|verify|password|passcode|account|wallet|seed phrase|bank)\b.{0,60}https?://\S+",
]
_POISON = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)


def normalise(text: str) -> str:
    """The text as the guard reads it: NFKC, lower case, no zero-width tricks, leetspeak undone."""
    text = unicodedata.normalize("NFKC", _ZERO_WIDTH.sub("", text)).lower()
    words = [w.translate(_LEET) if re.search(r"[a-z]", w) else w for w in text.split()]
    return re.sub(r"[_*~`|]+", " ", " ".join(words))


def poison_reason(content: str) -> str | None:
    """Why a 'fact' looks like an attempt to plant instructions (it then waits for the user)."""
    m = _POISON.search(normalise(content))
    return f"looks like an instruction to the agent ({m.group(0)[:80]!r}); needs your approval" if m else None
