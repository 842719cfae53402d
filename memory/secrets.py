"""Secrets never reach disk: one `scrub` for every persisted text (messages, runs, steps, memories,
events, job payloads, exports, logs), knowing both the configured keys and common key shapes.

A key the user types into chat is replaced by "[secret]" before it is stored or sent, and the turn
says so; a key from the environment is registered when a Lab starts, whatever its shape.
"""

from __future__ import annotations

import re

MASK = "[secret]"
_SHAPES = re.compile(
    r"\b("
    r"sk-(?:proj-|ant-|or-v1-)?[A-Za-z0-9_\-]{16,}"  # OpenAI, Anthropic, OpenRouter
    r"|gsk_[A-Za-z0-9_]{16,}"  # Groq
    r"|xai-[A-Za-z0-9]{16,}"
    r"|hf_[A-Za-z0-9]{20,}"  # Hugging Face
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
    r"|glpat-[A-Za-z0-9_\-]{16,}"
    r"|xox[abprs]-[A-Za-z0-9\-]{10,}"  # Slack
    r"|AKIA[0-9A-Z]{16}"  # AWS access key id
    r"|AIza[0-9A-Za-z_\-]{30,}"  # Google
    r")"
)
_ASSIGNED = re.compile(r"(?i)(authorization|api[_-]?key|x-api-key)(\"?\s*[:=]\s*\"?)(bearer\s+)?[^\s\",}]+")
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._\-]{12,}")
_known: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a secret (a configured or typed key) so it is scrubbed everywhere, any shape."""
    if value and len(value) >= 6:
        _known.add(value)


def scrub(text: str) -> str:
    """`text` with every known secret and key-shaped token replaced by "[secret]"."""
    if not text:
        return text
    for secret in _known:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _SHAPES.sub(MASK, text)
    text = _BEARER.sub(f"Bearer {MASK}", text)
    return _ASSIGNED.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


def scrub_opt(text: str | None) -> str | None:
    return scrub(text) if text else text
