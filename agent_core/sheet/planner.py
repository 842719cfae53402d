"""Turns a chat-style request into agent columns: the simulator path of "describe what you want".

Rule-based on purpose: it is deterministic, offline, and only ever references input columns that
exist. The LLM version will return the same `Column` objects, so the UI does not care which ran.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent_core.sheet.model import Column

INDUSTRY_OPTIONS: tuple[str, ...] = (
    "Software", "Fintech", "Healthcare", "Biotech", "Retail", "Manufacturing", "Energy",
    "Logistics", "Media", "Education", "Food & Beverage", "Travel", "Other",
)  # fmt: skip

# Which input column plays which role, by the names people usually give them.
_ROLES: dict[str, tuple[str, ...]] = {
    "company": ("company", "organisation", "organization", "account", "business", "name"),
    "contact": ("contact", "person", "full name", "first name", "recipient"),
    "persona": ("persona", "role", "title", "job", "position"),
    "website": ("website", "domain", "url", "site"),
}


def _find(inputs: Sequence[str], role: str) -> str | None:
    for hint in _ROLES[role]:
        for name in inputs:
            if hint in name.casefold():
                return name
    return None


def _topic(request: str) -> str:
    match = re.search(r"\babout\s+(.+?)\s*[.!?]*$", request.strip(), re.IGNORECASE)
    return match.group(1) if match else "how we can help"


def plan_columns(request: str, input_columns: Sequence[str]) -> list[Column]:
    """Agent columns for a request like 'Email each customer about the new pricing'.

    Columns come in dependency order and reference only `input_columns` or earlier planned ones;
    names that clash with an input get an ' (AI)' suffix. A request no rule understands becomes a
    single text column asking the request of each row, so the user always gets something to edit.
    """
    folded = request.casefold()
    inputs = list(input_columns)
    subject = _find(inputs, "company") or (inputs[0] if inputs else None)
    if subject is None:
        return []
    ref = f"{{{subject}}}"
    contact, persona, website = (_find(inputs, role) for role in ("contact", "persona", "website"))
    planned: list[tuple[str, str, str, tuple[str, ...]]] = []

    def want(*words: str) -> bool:
        return any(re.search(rf"\b{word}", folded) for word in words)

    if want("industr", "sector", "vertical", "categor"):
        planned.append(("Industry", f"Industry of {ref}", "category", INDUSTRY_OPTIONS))
    if want("size", "employee", "headcount", "how big", "staff"):
        planned.append(("Employees", f"Number of employees at {ref}", "number", ()))
    if want("founded", "age", "how old"):
        planned.append(("Founded", f"Year {ref} was founded", "number", ()))
    if want("headquarter", "hq", "location", "where", "based", "city"):
        planned.append(("HQ", f"Headquarters city of {ref}", "text", ()))
    if website and want("reachable", "website", "domain", "online", "valid"):
        planned.append(("Website reachable", f"Is {{{website}}} reachable? yes/no", "yes/no", ()))
    if want("profile", "json", "structured"):
        planned.append(("Profile", f"Company profile of {ref} as JSON", "json", ()))
    if want("qualif", "fit", "icp", "score", "prioriti"):
        planned.append(("Fit score", f"Fit score from 1 to 10 for {ref} as a customer", "number", ()))
    writes_email = want("email", "e-mail", "reach out", "follow up", "message", "write to")
    if writes_email or want("summar", "describe", "research"):
        planned.append(("Summary", f"Summary of {ref}", "text", ()))
    if want("pitch", "tagline", "one-liner"):
        aimed = f" aimed at {{{persona}}}" if persona else ""
        planned.append(("Pitch", f"One-line pitch for {ref}{aimed}", "text", ()))
    if writes_email:
        to = f"{{{contact}}} at {ref}" if contact else ref
        prompt = f"Email to {to} about {_topic(request)}, using what we know: {{Summary}}"
        planned.append(("Email", prompt, "text", ()))
    if not planned:
        planned.append(("Answer", f"{request.strip().rstrip('.?!')} — for {ref}", "text", ()))
    return _columns(planned, inputs)


def _columns(planned: list[tuple[str, str, str, tuple[str, ...]]], inputs: list[str]) -> list[Column]:
    """Build columns, renaming any that clash with an input and rewriting references to them."""
    taken = {name.casefold() for name in inputs}
    renames: dict[str, str] = {}
    for name, *_ in planned:
        renames[name] = f"{name} (AI)" if name.casefold() in taken else name
    columns = []
    for name, prompt, output_type, options in planned:
        for old, new in renames.items():
            if old != new:
                prompt = prompt.replace(f"{{{old}}}", f"{{{new}}}")
        columns.append(Column(renames[name], "agent", prompt, output_type, options))
    return columns
