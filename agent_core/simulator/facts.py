"""The simulator's understanding of language: fact patterns (English and Chinese) and questions.

Facts use canonical phrasings ("Lives in Paris"), so the simulator can read its own memories back
from a prompt the same way a real model reads any text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"([A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
_PLACE = r"([A-Z][\w'.-]+(?:[ -][A-Z][\w'.-]+){0,3})"
_THING = r"([^.,;!?\n]{2,60}?)"
_END = r"(?=[.,;!?\n]|$| and | but | because )"
_JOB_END = r"(?=[.,;!?\n]|$| and | but | at | for | in )"

# (slot, regex, importance); content template per slot below.
PATTERNS: list[tuple[str, re.Pattern[str], float]] = [
    ("name", re.compile(rf"(?i:\bmy name is|\bcall me|\bmy name's) {_NAME}"), 0.9),
    ("location", re.compile(rf"(?i:\bI(?:'ve| have)? (?:just )?(?:moved|relocated) to) {_PLACE}"), 0.85),
    ("location", re.compile(rf"(?i:\bI (?:now )?live in) {_PLACE}"), 0.85),
    ("location", re.compile(rf"(?i:\bI'm (?:now )?(?:based|living) in) {_PLACE}"), 0.85),
    (
        "job",
        re.compile(
            rf"\bI(?:'m| am) (?:now )?(?:working as )?(an? [a-z][a-z -]{{2,40}}?) (?:now|by profession|by trade){_END}",
            re.I,
        ),
        0.75,
    ),
    ("job", re.compile(rf"\bI work as (an? [^.,;!?\n]{{2,60}}?){_JOB_END}", re.I), 0.75),
    ("job", re.compile(rf"\bmy job is {_THING}{_JOB_END}", re.I), 0.75),
    ("employer", re.compile(rf"(?i:\bI work (?:at|for)|\bI work as an? [a-z ]+? (?:at|for)) {_PLACE}"), 0.7),
    (
        "partner",
        re.compile(
            rf"(?i:\bmy (?:wife|husband|partner|girlfriend|boyfriend)(?:'s name)? is (?:called |named )?){_NAME}"
        ),
        0.7,
    ),
    ("pet", re.compile(rf"(?i:\bI have an? )([a-z ]{{2,30}}?)(?i: named | called ){_NAME}"), 0.6),
    ("preference", re.compile(rf"\bI prefer {_THING}{_END}", re.I), 0.7),
    ("like", re.compile(rf"\bI (?:really )?(?:like|love|enjoy) {_THING}{_END}", re.I), 0.55),
    (
        "dislike",
        re.compile(rf"\bI (?:really )?(?:dislike|hate|don't like|do not like) {_THING}{_END}", re.I),
        0.55,
    ),
    ("note", re.compile(r"\b(?:please )?remember(?: that[:,]?|[:,]) ([^\n?]{3,300}?)[.!]?$", re.I), 0.8),
    ("name", re.compile(r"我叫([\u4e00-\u9fff]{1,4}?)(?=[，。,.！!\s]|$)"), 0.9),
    (
        "location",
        # ends at punctuation, a space or the end of the message ("我住在上海" has no "。");
        # "我住在哪里" is a question, not a place
        re.compile(
            r"我(?:现在)?(?:住在|搬到了?|在)(?!哪|什么)([\u4e00-\u9fff]{2,8}?)(?:住|工作|生活)?"
            r"(?=[，。,.！!；;\s]|$)"
        ),
        0.85,
    ),
    ("job", re.compile(r"我是(?:一名|一个)?([\u4e00-\u9fff]{2,8}?)[，。,.！!]"), 0.75),
    ("like", re.compile(r"我(?:很)?喜欢([\u4e00-\u9fff\w]{1,12}?)[，。,.！!]"), 0.55),
    ("note", re.compile(r"(?:请)?记住[：:,，]?(.{2,100}?)[。.!！]?$"), 0.8),
]

CONTENT = {
    "name": "Name is {v}",
    "location": "Lives in {v}",
    "job": "Works as {v}",
    "employer": "Works at {v}",
    "partner": "Partner is {v}",
    "pet": "Has a {kind} named {v}",
    "preference": "Prefers {v}",
    "like": "Likes {v}",
    "dislike": "Dislikes {v}",
    "note": "{v}",
}
CONTENT_ZH = {
    "name": "名字是{v}",
    "location": "住在{v}",
    "job": "职业是{v}",
    "like": "喜欢{v}",
    "note": "{v}",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Fact:
    slot: str
    value: str
    content: str
    importance: float
    confidence: float = 0.9

    def as_dict(self) -> dict:
        return {
            "content": self.content,
            "slot": self.slot,
            "value": self.value,
            "importance": self.importance,
            "confidence": self.confidence,
        }


RETRACT = re.compile(
    r"(?i)\b(?:I never (?:said|told you)(?: that)?|that's (?:wrong|not true|not right)[,:;—-]*\s*I (?:don't|do not))"
    r"\s+(.+)"
)


def retraction(sentence: str) -> Fact | None:
    """ "I never said I work at Acme" / "that's wrong, I don't live in Paris": the claim to withdraw."""
    m = RETRACT.search(sentence)
    if m is None:
        return None
    claim = m.group(1).strip()
    claim = claim if re.match(r"(?i)(I|my)\b", claim) else f"I {claim}"
    inner = [f for f in extract_facts(claim) if f.slot != "retraction"]
    if not inner:
        return None
    return Fact("retraction", inner[0].content, f"Not true: {inner[0].content}", 0.9)


def extract_facts(text: str) -> list[Fact]:
    """Every fact the patterns find, at most one per slot per sentence; the last mention wins."""
    facts: dict[tuple[str, str], Fact] = {}
    for sentence in re.split(r"(?<=[.!?。！？])\s*", text.strip()):
        retracted = retraction(sentence)
        if retracted is not None:
            facts[("retraction", retracted.value.lower())] = retracted
            continue
        for slot, pattern, importance in PATTERNS:
            for m in pattern.finditer(sentence):
                groups = [g for g in m.groups() if g]
                value = groups[-1].strip().rstrip(".")
                if not value:
                    continue
                if slot == "note" and _CJK.search(value) is None and extract_facts_inner(value):
                    continue
                zh = bool(_CJK.search(value)) or bool(_CJK.search(sentence))
                template = (CONTENT_ZH if zh else CONTENT).get(slot, "{v}")
                content = template.format(v=value, kind=groups[0].strip() if len(groups) > 1 else "pet")
                key = (slot, value.lower()) if slot not in ("name", "location", "job") else (slot, "")
                facts[key] = Fact(slot, value, content[0].upper() + content[1:], importance)
    return list(facts.values())


def extract_facts_inner(text: str) -> bool:
    """Does 'remember that …' wrap a fact a specific pattern already captures?"""
    return any(p.search(text) for slot, p, _ in PATTERNS if slot != "note")


QUESTIONS: list[tuple[str, re.Pattern[str]]] = [
    (
        "location",
        re.compile(
            r"\bwhere (?:do|did) I live\b|\bwhere am I (?:based|living)\b|\bwhich city\b|\bmy (?:city|home town|address)\b|我住在哪|我在哪",
            re.I,
        ),
    ),
    (
        "name",
        re.compile(
            r"\bwhat(?:'s| is) my name\b|\bwho am I\b|\bdo you know my name\b|我叫什么|我的名字", re.I
        ),
    ),
    (
        "job",
        re.compile(
            r"\bwhat (?:do I do|is my job|'s my job)\b|\bmy (?:job|profession|occupation)\b|\bwhat do I work as\b|我的(?:工作|职业)|我是做什么",
            re.I,
        ),
    ),
    ("employer", re.compile(r"\bwhere do I work\b|\bwho do I work for\b|\bmy employer\b", re.I)),
    (
        "partner",
        re.compile(r"\bmy (?:wife|husband|partner)'?s? name\b|\bwho is my (?:wife|husband|partner)\b", re.I),
    ),
    ("pet", re.compile(r"\bmy (?:dog|cat|pet)\b|\bpet'?s name\b", re.I)),
    ("preference", re.compile(r"\bwhat do I prefer\b|\bmy preference\b|\bdo I prefer\b", re.I)),
    ("like", re.compile(r"\bwhat do I (?:like|love|enjoy)\b|我喜欢什么", re.I)),
]


def question_slot(text: str) -> str | None:
    for slot, pattern in QUESTIONS:
        if pattern.search(text):
            return slot
    return None


def is_question(text: str) -> bool:
    t = text.strip()
    return t.endswith(("?", "？", "吗", "呢")) or bool(
        re.match(r"(?i)(what|where|who|when|how|which|why|do|does|did|is|are|can)\b", t)
    )


_READ = {
    slot: re.compile(
        "^" + re.escape(t).replace(r"\{v\}", "(?P<v>.+)").replace(r"\{kind\}", r"\S+") + "$", re.I
    )
    for slot, t in CONTENT.items()
    if slot != "note"
}
_READ_ZH = {
    slot: re.compile("^" + re.escape(t).replace(r"\{v\}", "(?P<v>.+)") + "$")
    for slot, t in CONTENT_ZH.items()
    if slot != "note"
}


def read_memory(content: str) -> tuple[str, str] | None:
    """(slot, value) of a memory written in a canonical phrasing, else None."""
    c = content.strip().rstrip(".")
    for table in (_READ, _READ_ZH):
        for slot, rx in table.items():
            m = rx.match(c)
            if m:
                return slot, m.group("v")
    return None
