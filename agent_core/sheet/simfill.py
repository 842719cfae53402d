"""The offline simulator's brain for sheet cells: plausible, deterministic answers with no network.

Lookups come from shipped sample data (assets/sheet/companies.json); pitches and emails are
templated from the row values and varied by seed. Unknown things get an honest fallback that still
fits the output type, so designers see realistic tables, and tests get the same table every run.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from agent_core.sheet.model import Column
from agent_core.sheet.runs import CellResult

COMPANIES_PATH = Path(__file__).resolve().parents[2] / "assets" / "sheet" / "companies.json"
REFERENCE_YEAR = 2025  # fixed so "how old" answers do not change with the calendar
_DEAD_SUFFIXES = (".invalid", ".example", ".test", ".localhost")
_EUROPE = {"United Kingdom", "Netherlands", "Denmark", "France", "Germany", "Ireland", "Switzerland",
           "Finland", "Norway", "Portugal"}  # fmt: skip
_REGIONS = {"europe": _EUROPE, "eu": _EUROPE, "north america": {"United States", "Canada"},
            "asia": {"Singapore", "Japan", "China", "India", "Israel"}}  # fmt: skip
_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("reachable", ("reachable", "online", "resolves?", "up and running")),
    ("email", ("email", "e-mail", "message to", "write to")),
    ("pitch", ("pitch", "tagline", "one-liner")),
    ("industry", ("industry", "sector", "vertical")),
    ("employees", ("employees", "headcount", "size", "staff", "people")),
    ("age", ("how old", "age of")),
    ("founded", ("founded", "established", "year")),
    ("revenue", ("revenue", "turnover", "sales")),
    ("hq", ("headquarters?", "hq", "city", "based", "located", "where")),
    ("country", ("country",)),
    ("website", ("website", "domain", "url")),
    ("summary", ("summary", "summari[sz]e", "describe", "description", "what does", "about")),
)

_TOPIC_PATTERNS = [(name, re.compile(r"\b(?:" + "|".join(words) + r")\b")) for name, words in _TOPICS]


@dataclass(frozen=True, slots=True)
class Company:
    name: str
    website: str
    industry: str
    hq_city: str
    country: str
    employees: int
    founded: int
    description: str


@lru_cache(maxsize=4)
def load_companies(path: Path = COMPANIES_PATH) -> tuple[Company, ...]:
    """The sample companies, longest name first so 'Kumo Robotics' wins over a shorter match."""
    records = json.loads(path.read_text(encoding="utf-8"))
    return tuple(sorted((Company(**record) for record in records), key=lambda c: -len(c.name)))


def find_company(text: str) -> Company | None:
    """The sample company named (or whose website appears) in the text, if any."""
    folded = text.casefold()
    for company in load_companies():
        if company.name.casefold() in folded or company.website in folded:
            return company
    return None


def _topic(folded: str) -> str | None:
    """What the prompt asks for: the earliest keyword wins, since filled-in row values come later."""
    hits = [(match.start(), rank, name) for rank, (name, pattern) in enumerate(_TOPIC_PATTERNS)
            if (match := pattern.search(folded))]  # fmt: skip
    return min(hits)[2] if hits else None


def fill_cell(prompt: str, output_type: str, options: list[str] | None = None, seed: int = 0) -> str:
    """A raw answer for one filled prompt, as a model would write it for that output type."""
    rng = random.Random(f"{seed}\x1f{output_type}\x1f{prompt}")
    company = find_company(prompt)
    folded = prompt.casefold()
    topic = _topic(folded)
    if output_type == "number":
        return _number(topic, company, folded, rng)
    if output_type == "yes/no":
        return _yes_no(topic, company, prompt, rng)
    if output_type == "category":
        return _category(company, folded, list(options or ()), rng)
    if output_type == "json":
        return json.dumps(_profile(company, prompt), ensure_ascii=False)
    return _text(topic, company, prompt, rng)


def _number(topic: str | None, company: Company | None, folded: str, rng: random.Random) -> str:
    if re.search(r"\b(score|rate|rating|1\s*(-|to)\s*10)\b", folded):
        return str(rng.randint(3, 9) if company else rng.randint(1, 6))
    employees = company.employees if company else rng.choice((15, 40, 85, 150, 320, 900))
    founded = company.founded if company else rng.randint(1995, 2020)
    if topic == "employees":
        return str(employees)
    if topic == "founded":
        return str(founded)
    if topic == "age":
        return str(REFERENCE_YEAR - founded)
    if topic == "revenue":
        return str(employees * rng.randrange(120_000, 260_000, 10_000))
    return str(rng.randint(1, 100))


def _domain(text: str) -> str | None:
    match = re.search(r"\b((?:[\w-]+\.)+[a-z]{2,})\b", text.casefold())
    return match.group(1) if match else None


def _yes_no(topic: str | None, company: Company | None, prompt: str, rng: random.Random) -> str:
    folded = prompt.casefold()
    if topic == "reachable" or (topic == "website" and _domain(prompt)):
        domain = _domain(prompt) or (company.website if company else "")
        return "no" if not domain or domain.endswith(_DEAD_SUFFIXES) else "yes"
    if company is not None:
        for region, countries in _REGIONS.items():
            if re.search(rf"\b{region}\b", folded):
                return "yes" if company.country in countries else "no"
        if company.country.casefold() in folded or company.hq_city.casefold() in folded:
            return "yes"
        if bound := re.search(r"(more than|over|at least|fewer than|less than|under)\s+([\d,]+)", folded):
            limit = int(bound.group(2).replace(",", ""))
            above = company.employees >= limit if bound.group(1) == "at least" else company.employees > limit
            return "yes" if above == (bound.group(1) in ("more than", "over", "at least")) else "no"
        for industry in {c.industry for c in load_companies()}:
            if industry.casefold() in folded:
                return "yes" if industry == company.industry else "no"
    return rng.choice(("yes", "yes", "no"))


def _size_bucket(option: str, employees: int) -> bool:
    folded = option.casefold().replace(",", "")
    if span := re.fullmatch(r"\s*(\d+)\s*[-–]\s*(\d+)\s*", folded):
        return int(span.group(1)) <= employees <= int(span.group(2))
    if plus := re.fullmatch(r"\s*(\d+)\s*\+\s*", folded):
        return employees >= int(plus.group(1))
    words = {"small": employees < 200, "startup": employees < 200, "medium": 200 <= employees < 1000,
             "mid-size": 200 <= employees < 1000, "large": employees >= 1000, "enterprise": employees >= 1000}  # fmt: skip
    return words.get(folded.strip(), False)


def _category(company: Company | None, folded: str, options: list[str], rng: random.Random) -> str:
    if not options:
        return "Other"
    if company is not None:
        facts = [company.industry, company.country, company.hq_city]
        for option in options:
            if any(option.casefold() == fact.casefold() for fact in facts):
                return option
        for option in options:
            if _size_bucket(option, company.employees):
                return option
        for option in options:
            if any(fact.casefold() in option.casefold() for fact in facts):
                return option
    mentioned = [option for option in options if option.casefold() in folded]
    if mentioned:
        return mentioned[0]
    fallback = [option for option in options if option.casefold() in ("other", "unknown", "unclear", "n/a")]
    return fallback[0] if fallback else rng.choice(options)


def _profile(company: Company | None, prompt: str) -> dict[str, object]:
    if company is None:
        return {"query": prompt[:80], "found": False, "note": "not in the offline sample data"}
    return {
        "company": company.name,
        "industry": company.industry,
        "hq": f"{company.hq_city}, {company.country}",
        "employees": company.employees,
        "founded": company.founded,
        "website": company.website,
    }


def _subject(prompt: str, company: Company | None) -> str:
    """The thing a prompt is about, for fallbacks: a known company, else the text after 'of'/'for'."""
    if company is not None:
        return company.name
    match = re.search(r"\b(?:of|for|at|about)\s+(.+?)(?:[?.,]|\s+aimed|\s+about|$)", prompt)
    return match.group(1).strip() if match else prompt.strip()[:40]


def _text(topic: str | None, company: Company | None, prompt: str, rng: random.Random) -> str:
    if topic == "email":
        return _email(prompt, company, rng)
    if topic == "pitch":
        return _pitch(prompt, company, rng)
    subject = _subject(prompt, company)
    if company is None:
        return f"No record of {subject} in the offline sample data, so this cannot be answered reliably."
    answers = {
        "industry": company.industry,
        "employees": f"About {company.employees:,} employees",
        "founded": str(company.founded),
        "age": f"{REFERENCE_YEAR - company.founded} years",
        "hq": f"{company.hq_city}, {company.country}",
        "country": company.country,
        "website": company.website,
        "summary": f"{company.name} ({company.industry}, {company.hq_city}): {company.description}",
    }
    return answers.get(topic or "summary", answers["summary"])


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _pitch(prompt: str, company: Company | None, rng: random.Random) -> str:
    match = re.search(
        r"for\s+(.+?)\s+(?:aimed at|targeting|for)\s+(?:an?\s+|the\s+)?(.+?)[.?]?$", prompt, re.I
    )
    name = company.name if company else (match.group(1) if match else _subject(prompt, None))
    persona = match.group(2).strip() if match else "the team"
    what = _lower_first(company.description.rstrip(".")) if company else "the work you already do"
    return rng.choice(
        (
            f"{name}, meet the copilot that lets your {persona} spend less time on busywork around {what}.",
            f"For a {persona} at {name}: one agent that remembers your context, so {what} moves faster.",
            f"Give every {persona} at {name} an assistant that learns how you handle {what}.",
        )
    )


def _email(prompt: str, company: Company | None, rng: random.Random) -> str:
    match = re.search(r"to\s+(.+?)\s+at\s+(.+?)(?:\s+about\s+(.+?))?(?:[,.;]|$)", prompt, re.I)
    contact = match.group(1).strip() if match else "there"
    name = company.name if company else (match.group(2).strip() if match and match.group(2) else "your team")
    topic = match.group(3).strip() if match and match.group(3) else "how we can help"
    first = contact.split()[0]
    greeting = rng.choice(("Hi", "Hello", "Dear"))
    context = (
        f"I know {name} focuses on {_lower_first(company.description)}"
        if company
        else f"I hope all is well at {name}."
    )
    close = rng.choice(
        ("Would 20 minutes next week work to walk through it?", "Happy to answer any questions by reply.")
    )
    return f"{greeting} {first},\n\n{context} I wanted to reach out about {topic}.\n\n{close}\n\nBest regards,\nThe Agent UX Lab team"


class SimCellRunner:
    """The offline `CellRunner`: `fill_cell` with model-like token counts, latency and chaos knobs."""

    def __init__(self, seed: int = 0, *, delay_s: float = 0.0, error_rate: float = 0.0) -> None:
        self.seed = seed
        self.delay_s = delay_s
        self.error_rate = error_rate

    def __call__(self, prompt: str, column: Column, row_values: dict[str, str]) -> CellResult:
        started = time.perf_counter()
        digest = hashlib.sha1(f"{self.seed}:{prompt}".encode()).hexdigest()
        if self.delay_s:
            time.sleep(self.delay_s)
        if int(digest[:8], 16) / 0xFFFFFFFF < self.error_rate:
            raise TimeoutError("simulated provider timeout")
        raw = fill_cell(prompt, column.output_type, list(column.options) or None, self.seed)
        return CellResult(
            raw_text=raw,
            prompt_tokens=max(1, len(prompt) // 4),
            completion_tokens=max(1, len(raw) // 4),
            latency_ms=(time.perf_counter() - started) * 1000,
            run_id=f"sim-{digest[:12]}",
        )
