"""Learn from review decisions: style rules from accepted/rejected suggestions, facts from the user's text.

Pure functions returning data; storing them as procedural/semantic memory happens elsewhere. Every rule
carries the ids of the suggestions that taught it, so a UI can show the rule beside those edits.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from agent_core.collab.actions import INFORMAL
from agent_core.collab.suggestions import Suggestion

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*")
_NAME = re.compile(r"\b[A-Z][A-Za-z'-]+(?:[ \t]+[A-Z][A-Za-z'-]+)*")
_STARTERS = frozenset(
    [
        "The",
        "A",
        "An",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "I",
        "We",
        "You",
        "He",
        "She",
        "They",
        "Our",
        "My",
        "Your",
        "Then",
        "But",
        "And",
        "So",
        "If",
        "When",
        "What",
        "Why",
        "How",
        "Here",
        "There",
        "Hello",
        "Hi",
        "Yes",
        "No",
        "Please",
        "Thanks",
        "In",
        "On",
        "At",
        "For",
        "Of",
        "To",
        "As",
        "Also",
        "However",
    ]
)
SHORTER, LONGER = 0.8, 1.25  # replacement/original length ratios that count as shortening/lengthening


@dataclass(frozen=True, slots=True)
class StyleRule:
    """A plain-language rule for the agent's instructions, with the suggestions that taught it."""

    text: str
    taught_by: tuple[str, ...]
    topic: str  # "length" | "tone" | "word"


@dataclass(frozen=True, slots=True)
class Fact:
    """A term the user keeps writing (a name, product, place): worth remembering."""

    text: str
    term: str
    count: int


def word_swaps(original: str, replacement: str) -> list[tuple[str, str]]:
    """One-word-for-one-word replacements between the two texts, lower-cased."""
    before = [w.lower() for w in _TOKEN.findall(original)]
    after = [w.lower() for w in _TOKEN.findall(replacement)]
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    return [
        (before[i1], after[j1])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag == "replace" and i2 - i1 == 1 and j2 - j1 == 1
    ]


def _informal_count(text: str) -> int:
    return sum(1 for w in _TOKEN.findall(text) if w.lower() in INFORMAL)


#: What repeatedly accepting / rejecting a quick action teaches, whatever words it changed.
_ACTION_LESSONS: dict[str, tuple[str, str, str, str]] = {
    "fix_tone": ("tone", "formalise", "Prefer a formal tone.", "Keep the author's informal voice."),
    "summarise": (
        "length",
        "shorten",
        "Prefer shorter, tighter text.",
        "Keep the author's length; do not shorten it.",
    ),
    "continue": (
        "length",
        "extend",
        "Continuing the author's text is welcome.",
        "Do not add text the author did not write.",
    ),
    "rewrite": (
        "wording",
        "reword",
        "Rewording for clarity is welcome.",
        "Keep the author's wording; change only what is asked.",
    ),
}


def _heuristic_lessons(suggestion: Suggestion, accepted: bool) -> list[tuple[str, str, str]]:
    """For a suggestion of no known quick action: judge its tone, else its length change."""
    if _informal_count(suggestion.replacement) < _informal_count(suggestion.original):
        return [
            (
                "tone",
                "formalise",
                "Prefer a formal tone." if accepted else "Keep the author's informal voice.",
            )
        ]
    if not suggestion.original:  # a tone fix's length change is a side effect, not a lesson
        return []
    ratio = len(suggestion.replacement) / len(suggestion.original)
    if ratio < SHORTER:
        text = "Prefer shorter, tighter text." if accepted else "Keep the author's length; do not shorten it."
        return [("length", "shorten", text)]
    if ratio > LONGER:
        text = "Expanding the author's text is welcome." if accepted else "Keep it concise; do not pad it."
        return [("length", "lengthen", text)]
    return []


def _lessons(suggestion: Suggestion) -> list[tuple[str, str, str]]:
    """(topic, key, rule) triples one reviewed suggestion teaches; ``key`` names the behaviour judged.

    A quick action's suggestion (its ``note`` names the action) teaches about that action: a summary
    that also drops slang is a lesson about length, not tone. Word swaps are lessons of their own.
    """
    accepted = suggestion.status == "accepted"
    known = _ACTION_LESSONS.get(suggestion.note)
    if known is not None:
        topic, key, yes, no = known
        lessons = [(topic, key, yes if accepted else no)]
    else:
        lessons = _heuristic_lessons(suggestion, accepted)
    for old, new in word_swaps(suggestion.original, suggestion.replacement):
        text = f"Write '{new}', not '{old}'." if accepted else f"Keep '{old}'; do not change it to '{new}'."
        lessons.append(("word", f"{old}>{new}", text))
    return lessons


def derive_style_rules(suggestions: Iterable[Suggestion], *, min_evidence: int = 2) -> list[StyleRule]:
    """Rules backed by at least ``min_evidence`` reviewed suggestions, strongest first.

    When a behaviour was both accepted and rejected often enough, only the better-supported verdict is
    kept, so the agent is never told to do and not do the same thing.
    """
    evidence: dict[tuple[str, str, str], list[str]] = {}
    for suggestion in suggestions:
        if suggestion.status not in ("accepted", "rejected") or suggestion.kind == "comment":
            continue
        if suggestion.conflict_reason:  # rejected because the user changed its text, not for its style
            continue
        if suggestion.changes_nothing:  # nothing was proposed, so the verdict says nothing about style
            continue
        for lesson in dict.fromkeys(_lessons(suggestion)):
            evidence.setdefault(lesson, []).append(suggestion.id)
    ranked = sorted(
        ((key, StyleRule(text, tuple(ids), topic)) for (topic, key, text), ids in evidence.items()),
        key=lambda item: (-len(item[1].taught_by), item[1].text),
    )
    seen: set[str] = set()
    rules: list[StyleRule] = []
    for key, rule in ranked:
        if key not in seen and len(rule.taught_by) >= min_evidence:
            rules.append(rule)
        seen.add(key)
    return rules


def derive_facts(texts: Iterable[str] | str, *, min_count: int = 3) -> list[Fact]:
    """Names and terms (capitalised phrases, not mere sentence starters) written ``min_count`` times or more."""
    counts: Counter[str] = Counter()
    for text in [texts] if isinstance(texts, str) else texts:
        for match in _NAME.finditer(text):
            words = match.group(0).split()
            while words and words[0] in _STARTERS:
                words = words[1:]
            if words:
                counts[" ".join(words)] += 1
    return [
        Fact(f"The user often writes about {term}.", term, count)
        for term, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        if count >= min_count
    ]
