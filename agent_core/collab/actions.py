"""Quick actions on Markdown sections, and the offline simulator's deterministic version of them.

An agent targets a *section* (a heading's body or a paragraph) so a quick action changes only that
range, and the resulting suggestion conflicts only if the user types in that very section.
The simulated rewrites are crude but plausible, deterministic for a seed, and good enough for demos.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Literal

from agent_core.collab.suggestions import Kind

Action = Literal["rewrite", "continue", "summarise", "fix_tone"]
ACTIONS: tuple[Action, ...] = ("rewrite", "continue", "summarise", "fix_tone")

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+|$)")
_WORD = re.compile(r"(?<![-A-Za-z'])[A-Za-z']+(?![-A-Za-z'])")  # whole words: not 'start' of start-up

#: Informal word -> formal replacement; also read by :mod:`learning` to recognise tone fixes.
INFORMAL: dict[str, str] = {
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "have to",
    "kinda": "somewhat",
    "sorta": "somewhat",
    "dunno": "do not know",
    "yeah": "yes",
    "nope": "no",
    "ok": "acceptable",
    "okay": "acceptable",
    "cool": "good",
    "awesome": "excellent",
    "guys": "everyone",
    "hey": "hello",
    "stuff": "material",
    "super": "very",
    "totally": "completely",
    "basically": "essentially",
    "can't": "cannot",
    "won't": "will not",
    "don't": "do not",
    "it's": "it is",
}
_SYNONYMS: dict[str, str] = {
    "use": "employ",
    "help": "assist",
    "show": "demonstrate",
    "big": "large",
    "fast": "quick",
    "important": "significant",
    "start": "begin",
    "make": "create",
    "try": "attempt",
    "buy": "purchase",
    "get": "obtain",
    "about": "regarding",
    "many": "numerous",
    "change": "modify",
}
#: Plain or casual wording -> professional wording: what Fix tone changes once no slang is left, so
#: already-neutral text still gets a meaningful (deterministic) tone pass.
_PLAIN: dict[str, str] = {
    "a lot of": "many",
    "lots of": "many",
    "make sure": "ensure",
    "try to": "attempt to",
    "we want": "we would like",
    "fall behind": "lag behind",
    "it is important to": "it is essential to",
    "big": "large",
    "app": "application",
    "apps": "applications",
    "fix": "resolve",
    "fixes": "resolves",
    "fixed": "resolved",
    "nobody": "no one",
    "thinks": "assumes",
    "froze": "stopped responding",
    "we're": "we are",
    "they're": "they are",
    "you're": "you are",
    "i'm": "I am",
    "we'll": "we will",
    "we've": "we have",
    "that's": "that is",
    "let's": "let us",
    "isn't": "is not",
    "aren't": "are not",
    "doesn't": "does not",
    "didn't": "did not",
    "wasn't": "was not",
}
_PLAIN_RE = re.compile(
    r"(?<![A-Za-z'])(" + "|".join(sorted(map(re.escape, _PLAIN), key=len, reverse=True)) + r")(?![A-Za-z'])",
    re.IGNORECASE,
)
_FILLERS = frozenset({"really", "very", "just", "basically", "actually", "quite", "simply", "literally"})
_CONTINUATIONS = (
    "Building on this, the next step is to look more closely at {topic}.",
    "In practice, {topic} matters most when the details are agreed early.",
    "This leaves one open question about {topic}, which the following section answers.",
    "As a result, {topic} deserves a short example before we move on.",
)


@dataclass(frozen=True, slots=True)
class Section:
    """A target range: ``[start, end)`` is the body an action may change (trailing blank lines excluded)."""

    index: int
    start: int
    end: int
    heading: str
    level: int

    def text(self, document: str) -> str:
        return document[self.start : self.end]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\n":
        start += 1
    while end > start and text[end - 1] in " \t\n":
        end -= 1
    return start, end


def split_sections(text: str, *, by: Literal["heading", "paragraph"] = "heading") -> list[Section]:
    """Heading sections (body up to the next heading) or paragraphs (blocks between blank lines)."""
    bounds: list[tuple[int, int, str, int]] = []
    if by == "heading":
        matches = list(_HEADING.finditer(text))
        if not matches or matches[0].start() > 0:
            bounds.append((0, matches[0].start() if matches else len(text), "", 0))
        for i, match in enumerate(matches):
            stop = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            bounds.append((match.end(), stop, match.group(2).strip(), len(match.group(1))))
    else:
        cursor = 0
        for gap in [*_BLANK_LINES.finditer(text), None]:
            stop = gap.start() if gap else len(text)
            bounds.append((cursor, stop, "", 0))
            cursor = gap.end() if gap else len(text)
    sections: list[Section] = []
    for start, stop, heading, level in bounds:
        body_start, body_end = _trimmed(text, start, stop)
        if body_end > body_start or heading:
            sections.append(Section(len(sections), body_start, body_end, heading, level))
    return sections


def section_at(text: str, pos: int, *, by: Literal["heading", "paragraph"] = "heading") -> Section | None:
    """The section holding offset ``pos`` (where the user's cursor or selection is).

    Between bodies, a heading line belongs to the section it opens and the blank lines after a body
    to that body, so a cursor at the very end of the document holds the last section.
    """
    sections = split_sections(text, by=by)
    inside = next((s for s in sections if s.start <= pos <= s.end), None)
    if inside is not None or not sections:
        return inside
    line_start = text.rfind("\n", 0, pos) + 1
    if by == "heading" and _HEADING.match(text, line_start):
        following = next((s for s in sections if s.start >= pos), None)
        if following is not None:
            return following
    before = [s for s in sections if s.end <= pos]
    return before[-1] if before else sections[0]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _match_case(word: str, replacement: str) -> str:
    return replacement[:1].upper() + replacement[1:] if word[:1].isupper() else replacement


def _swap_words(text: str, table: dict[str, str], keep: set[str] | None = None) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        new = table.get(word.lower())
        return _match_case(word, new) if new and (keep is None or word.lower() in keep) else word

    return _WORD.sub(swap, text)


def _summarise(text: str) -> str:
    sentences = _sentences(text)
    kept = sentences[: max(1, (len(sentences) + 2) // 3)]
    out = []
    for sentence in kept:
        words = [w for w in sentence.split() if w.lower().strip(",") not in _FILLERS]
        short = " ".join(words[:18])
        out.append(short if len(words) <= 18 else short.rstrip(",;:") + "…")
    return " ".join(out)


def _fix_tone(text: str) -> str:
    """Slang first (``INFORMAL``), then plain wording and contractions (``_PLAIN``), no exclamations."""
    text = _swap_words(text, INFORMAL)
    text = _PLAIN_RE.sub(lambda m: _match_case(m.group(0), _PLAIN[m.group(0).lower()]), text)
    return re.sub(r"!{2,}|!", ".", text)


def _topic(text: str) -> str:
    """A name inside a sentence (capitalised, not sentence-initial), else the longest word."""
    for sentence in _sentences(text):
        names = [w for w in _WORD.findall(sentence)[1:] if w[0].isupper() and len(w) > 2]
        if names:
            return names[0]
    words = sorted(_WORD.findall(text), key=lambda w: (-len(w), w))
    return words[0].lower() if words else "this"


def _rewrite(text: str, rng: random.Random) -> str:
    keep = {word for word in _SYNONYMS if rng.random() < 0.7}
    sentences = [_swap_words(s, _SYNONYMS, keep) for s in _sentences(text)]
    if len(sentences) > 2 and rng.random() < 0.5:  # keep the opening sentence, move the rest around
        rest = sentences[1:]
        shift = rng.randrange(1, len(rest))
        sentences = [sentences[0], *rest[shift:], *rest[:shift]]
    result = " ".join(sentences)
    return _fix_tone(result) if result.split() == text.split() else result  # no synonym: clearer tone


def simulate_action(action: Action, text: str, seed: int = 0) -> str:
    """What the offline simulator writes for ``action`` on ``text`` (the whole new section text)."""
    rng = random.Random(f"{action}:{seed}")
    if action == "summarise":
        return _summarise(text)
    if action == "fix_tone":
        return _fix_tone(text)
    if action == "continue":
        follow = rng.choice(_CONTINUATIONS).format(topic=_topic(text))
        return f"{text.rstrip()} {follow}" if text.strip() else follow
    if action == "rewrite":
        return _rewrite(text, rng)
    raise ValueError(f"unknown action {action!r}")


@dataclass(frozen=True, slots=True)
class PlannedSuggestion:
    """Arguments for :meth:`CollabDocument.agent_suggest` (or a streamed suggestion)."""

    start: int
    end: int
    replacement: str
    kind: Kind


def plan_action(text: str, section: Section, action: Action, seed: int = 0) -> PlannedSuggestion:
    """The smallest suggestion for an action: ``continue`` inserts at the end, so typing above it is safe."""
    body = section.text(text)
    result = simulate_action(action, body, seed)
    if action == "continue" and result.startswith(body.rstrip()):
        return PlannedSuggestion(section.end, section.end, result[len(body.rstrip()) :], "insert")
    return PlannedSuggestion(section.start, section.end, result, "rewrite")
