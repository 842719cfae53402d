"""Simulator tasks for ambient agents: rule-based and deterministic, reading only the prompt.

The agent puts its procedural rules (`## Rules`), remembered facts (`## Facts you remember`) and
any human correction (`## Corrections`) in the system prompt, and the event as JSON in the user
message. So "Always ignore newsletters." in the prompt makes newsletters ignored, and the fact
"Priya is my manager" makes Priya's email a high-priority notification — the same prompt a real
model would see.
"""

from __future__ import annotations

import json
import random
import re

from agent_core.simulator.brain import Reply, last_user, system_text, task

CATEGORIES: list[tuple[str, re.Pattern[str]]] = [
    ("spam", re.compile(r"winner|lottery|claim your|crypto|bitcoin|prince|wire transfer|act now|free gift|guarantee", re.I)),
    ("newsletter", re.compile(r"newsletter|unsubscribe|digest|this week in|weekly:|issue \d+", re.I)),
    ("notification", re.compile(r"no-?reply|notification|security alert|has shipped|storage is", re.I)),
    ("invoice", re.compile(r"invoice|receipt|amount due|payment due|billing", re.I)),
    ("meeting", re.compile(r"meet|sync|reschedule|availability|catch up|call to|1:1", re.I)),
    ("customer", re.compile(r"question|how do i|refund|pricing|discount|support|\bapi\b|shipping time|help", re.I)),
    ("work", re.compile(r"@lumen\.example", re.I)),
]  # fmt: skip
DEFAULT_DECISION = {
    "spam": ("ignore", 0),
    "newsletter": ("notify", 0),
    "notification": ("notify", 1),
    "invoice": ("notify", 2),
    "meeting": ("respond", 2),
    "customer": ("respond", 2),
    "work": ("notify", 1),
    "personal": ("notify", 1),
}
VIP = re.compile(r"\b(manager|boss|ceo|vip|important)\b", re.I)
_RULE = re.compile(
    r"^(?P<q>always|never)\s+(?P<verb>ignore|notify(?: me)?(?: about| of)?|respond to|reply to)\s+(?P<target>.+?)\.?$",
    re.I,
)
_STOP = {"about", "there", "their", "would", "could", "which", "these", "those", "hello", "thanks", "quick",
         "question", "please", "where", "what", "how", "your", "with", "from", "have", "does", "this", "that"}  # fmt: skip
TOPICS = ("refund", "export", "api", "shipping", "discount", "sso", "password", "pricing", "invite", "charge")


def sections(req: dict) -> dict[str, list[str]]:
    """The system prompt's `## Heading` sections as lists of `- item` lines (lower-cased keys)."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in system_text(req).splitlines():
        if line.startswith("## "):
            current = line[3:].strip().lower()
            out.setdefault(current, [])
        elif line.startswith("- ") and current:
            out[current].append(line[2:].strip())
    return out


def category(email: dict) -> str:
    text = f"{email.get('from', '')} {email.get('subject', '')} {email.get('body', '')}"
    for name, rx in CATEGORIES:
        if rx.search(text):
            return name
    return "personal"


def sender_name(email: dict) -> str:
    frm = str(email.get("from", ""))
    return frm.split("<")[0].strip() or frm


def _targets(target: str, email: dict, cat: str) -> bool:
    t = target.lower().strip()
    m = re.match(r"(?:emails? |messages? )?from (.+)", t)
    if m:
        return m.group(1).strip() in str(email.get("from", "")).lower()
    words = re.findall(r"[a-z0-9]+", t)
    if cat in words or f"{cat}s" in words or (cat == "customer" and "customers" in t):
        return True
    return t in ("everything", "all emails", "this", "this email", "it")


def _verb_decision(q: str, verb: str) -> str:
    verb = verb.lower()
    if verb.startswith("ignore"):
        return "ignore" if q == "always" else "notify"
    if verb.startswith("notify"):
        return "notify" if q == "always" else "ignore"
    return "respond" if q == "always" else "notify"


def apply_rules(rules: list[str], email: dict, cat: str) -> tuple[str, str] | None:
    """The last matching rule wins (later rules are newer): (decision, rule text)."""
    hit = None
    for rule in rules:
        m = _RULE.match(rule.strip())
        if m and _targets(m.group("target"), email, cat):
            hit = (_verb_decision(m.group("q").lower(), m.group("verb")), rule)
    return hit


def correction_decision(corrections: list[str]) -> tuple[str, str] | None:
    for c in reversed(corrections):
        low = c.lower()
        for word, decision in (("ignore", "ignore"), ("notify", "notify"), ("reply", "respond"),
                               ("respond", "respond"), ("draft", "respond")):  # fmt: skip
            if word in low:
                return decision, c
    return None


def _draft(email: dict, cat: str, facts: list[str]) -> dict:
    first = sender_name(email).split()[0] if sender_name(email) else "there"
    if cat == "meeting":
        body = f"Hi {first},\n\nThanks for reaching out — that time works for me. I'll send an invite.\n\nBest,\nAlex"
    else:
        known = _best_fact(f"{email.get('subject', '')} {email.get('body', '')}", facts)
        answer = f" {known}" if known else " I'm looking into this and will get back to you shortly."
        body = f"Hi {first},\n\nThanks for your message.{answer}\n\nBest,\nAlex"
    return {"to": str(email.get("from", "")), "subject": f"Re: {email.get('subject', '')}", "body": body}


def _keywords(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in _STOP}


def _best_fact(text: str, facts: list[str]) -> str | None:
    topics = [t for t in TOPICS if re.search(rf"\b{t}", text.lower())]
    words = _keywords(text)
    best, score = None, 0
    for f in facts:
        fw = _keywords(f)
        overlap = len(words & fw)
        s = 3 * sum(1 for t in topics if re.search(rf"\b{t}", f.lower())) + (overlap if overlap >= 2 else 0)
        if s > score:
            best, score = f, s
    return best


@task("triage")
def triage(req: dict, rng: random.Random) -> Reply:
    email = json.loads(last_user(req))
    sec = sections(req)
    cat = category(email)
    decision, priority = DEFAULT_DECISION[cat]
    reasons = [f"Looks like a {cat} email; by default that means {decision}."]
    name = sender_name(email).lower()
    first = name.split()[0] if name else ""
    for fact in sec.get("facts you remember", []):
        if first and len(first) > 2 and first in fact.lower() and VIP.search(fact):
            decision, priority = ("notify" if decision == "ignore" else decision), 3
            reasons.append(f"You told me: \u201c{fact}\u201d, so this is important.")
    rule = apply_rules(sec.get("rules", []), email, cat)
    if rule:
        decision = rule[0]
        reasons.append(f"Rule \u201c{rule[1]}\u201d says {decision}.")
    corr = correction_decision(sec.get("corrections", []))
    if corr:
        decision = corr[0]
        reasons.append(f"Your correction \u201c{corr[1]}\u201d says {decision}.")
    out: dict = {"decision": decision, "category": cat, "priority": priority, "reasoning": " ".join(reasons)}
    if decision == "respond":
        out["draft"] = _draft(email, cat, sec.get("facts you remember", []))
    feedback = sec.get("reviewer feedback", [])
    if decision == "respond" and feedback:
        out["draft"]["body"] = out["draft"]["body"].replace("\n\nBest,", f"\n\n{feedback[-1]}\n\nBest,")
    return Reply(content=json.dumps(out, ensure_ascii=False))


_DURATION = re.compile(r"(\d+)[- ]?min", re.I)
_BEFORE = re.compile(r"before (\d{1,2})(?::(\d\d))?", re.I)
_AT = re.compile(r"(?:to|at) (\d{1,2}):(\d\d)", re.I)
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@task("schedule")
def schedule(req: dict, rng: random.Random) -> Reply:
    from datetime import datetime

    ev = json.loads(last_user(req))
    sec = sections(req)
    kind = ev.get("kind", "meeting_request")
    if kind == "reminder":
        out = {"decision": "ignore", "priority": 0, "reasoning": "A reminder already on your calendar."}
        return Reply(content=json.dumps(out))
    if kind == "cancellation":
        out = {
            "decision": "notify",
            "priority": 1,
            "reasoning": "A meeting was cancelled; you may want to know.",
        }
        return Reply(content=json.dumps(out))
    start = datetime.fromisoformat(str(ev.get("start")))
    duration = int(ev.get("duration_min", 30))
    reasons = [f"{ev.get('organizer')} asks for {duration} min on {start:%a %d %b %H:%M}."]
    texts = sec.get("rules", []) + sec.get("facts you remember", []) + sec.get("corrections", [])
    for t in texts:
        low = t.lower()
        day = next((d for d in _DAYS if d in low), None)
        if "decline" in low and day and start.strftime("%A").lower() == day:
            out = {
                "decision": "decline",
                "priority": 2,
                "action": "decline_meeting",
                "args": {"title": ev.get("title", ""), "reason": t},
                "reasoning": " ".join([*reasons, f"\u201c{t}\u201d says decline."]),
            }
            return Reply(content=json.dumps(out))
        if (m := _BEFORE.search(low)) and ("never" in low or "no meetings" in low):
            hour = int(m.group(1))
            if start.hour < hour:
                start = start.replace(hour=hour, minute=int(m.group(2) or 0))
                reasons.append(f"Moved to {start:%H:%M} because \u201c{t}\u201d.")
        if (m := _DURATION.search(low)) and ("prefer" in low or "make it" in low or "always" in low):
            duration = int(m.group(1))
            reasons.append(f"{duration} min because \u201c{t}\u201d.")
        if (m := _AT.search(low)) and ("move" in low or "make it" in low):
            start = start.replace(hour=int(m.group(1)), minute=int(m.group(2)))
            reasons.append(f"Moved to {start:%H:%M} because \u201c{t}\u201d.")
    out = {
        "decision": "schedule",
        "priority": 3
        if any(
            VIP.search(f) and str(ev.get("organizer", "")).split(".")[0] in f.lower()
            for f in sec.get("facts you remember", [])
        )
        else 2,  # fmt: skip
        "action": "schedule_meeting",
        "args": {
            "title": ev.get("title", ""),
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "duration_min": duration,
            "attendees": list(ev.get("attendees", [])),
            "send_invite": True,
        },
        "reasoning": " ".join(reasons),
    }
    return Reply(content=json.dumps(out))


@task("research")
def research(req: dict, rng: random.Random) -> Reply:
    email = json.loads(last_user(req))
    sec = sections(req)
    text = f"{email.get('subject', '')} {email.get('body', '')}"
    if category(email) != "customer":
        return Reply(content=json.dumps({"decision": "skip", "reasoning": "Not a question I research."}))
    answers = sec.get("human answer", [])
    topic = next((t for t in TOPICS if re.search(rf"\b{t}", text.lower())), None) or (
        " ".join(sorted(_keywords(email.get("subject", "")))[:2]) or "this"
    )
    if answers:
        out = {"decision": "answer", "topic": topic, "answer": answers[-1], "reasoning": "You told me."}
        return Reply(content=json.dumps(out))
    fact = _best_fact(text, sec.get("facts you remember", []))
    if fact:
        out = {"decision": "answer", "topic": topic, "answer": fact, "reasoning": f"I remembered: {fact}"}
        return Reply(content=json.dumps(out))
    who = sender_name(email)
    out = {
        "decision": "ask",
        "topic": topic,
        "question": f"{who} asks about {topic}. I don't know our answer yet — what should I tell them?",
        "reasoning": f"No remembered fact covers \u201c{topic}\u201d.",
    }
    return Reply(content=json.dumps(out))
