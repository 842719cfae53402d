"""Importers for the public memory benchmarks (LoCoMo, LongMemEval) into the internal form.

Public files are large, hand-curated and not perfectly regular, so one bad record must never sink
a run: each bad record, turn or question is skipped and reported as an `ImportProblem` naming its
record index and field. Only a file that is not a JSON list at all raises `DatasetFormatError`.
Unknown fields are ignored so newer releases of the files keep loading.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from agent_core.memlab.dataset import (
    Conversation,
    Dataset,
    ImportProblem,
    Question,
    Role,
    Session,
    Turn,
)

MAX_TURN_CHARS = 100_000
"""Longer turns are truncated (and reported): one pasted log should not stall an embedder."""

LOCOMO_CATEGORIES = {1: "multi_hop", 2: "temporal", 3: "open_domain", 4: "single_hop", 5: "adversarial"}

Source = str | os.PathLike[str] | bytes | list[Any]


class DatasetFormatError(ValueError):
    """The input is not a benchmark file at all (not JSON, or not a list of records)."""


class _Reporter:
    """Collects problems for one record so helpers need not thread the index around."""

    def __init__(self, problems: list[ImportProblem], index: int) -> None:
        self.problems = problems
        self.index = index

    def note(self, field: str, message: str) -> None:
        self.problems.append(ImportProblem(self.index, field, message))


def load_locomo(path_or_obj: Source, *, name: str | None = None) -> Dataset:
    """Load a LoCoMo file (or its parsed list): one Conversation per sample.

    speaker_a becomes the `user`, speaker_b the `assistant`; image captions are appended to the
    text as "[image: …]" because a text-only memory would otherwise miss what was shown.
    """
    return _load(path_or_obj, name or "locomo", _locomo_record)


def load_longmemeval(path_or_obj: Source, *, name: str | None = None) -> Dataset:
    """Load a LongMemEval file (or its parsed list): each question owns its haystack conversation."""
    return _load(path_or_obj, name or "longmemeval", _longmemeval_record)


def _load(
    path_or_obj: Source, default_name: str, convert: Callable[[Any, _Reporter], Conversation | None]
) -> Dataset:
    records, name, source_hash = _read(path_or_obj, default_name)
    dataset = Dataset(name=name, source_hash=source_hash)
    for index, record in enumerate(records):
        reporter = _Reporter(dataset.problems, index)
        if not isinstance(record, dict):
            reporter.note("", f"record is {type(record).__name__}, not an object; skipped")
            continue
        conversation = convert(record, reporter)
        if conversation is not None:
            dataset.conversations.append(conversation)
    return dataset


def _read(path_or_obj: Source, default_name: str) -> tuple[list[Any], str, str]:
    if isinstance(path_or_obj, str | os.PathLike):
        path = Path(path_or_obj)
        raw = path.read_bytes()
        name, obj = path.stem, _parse_json(raw, str(path))
    elif isinstance(path_or_obj, bytes):
        raw = path_or_obj
        name, obj = default_name, _parse_json(raw, default_name)
    else:
        obj, name = path_or_obj, default_name
        raw = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    if not isinstance(obj, list):
        raise DatasetFormatError(
            f"{name}: expected a JSON list of records at the top level, got {type(obj).__name__}"
        )
    return obj, name, hashlib.sha256(raw).hexdigest()


def _parse_json(raw: bytes, where: str) -> Any:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetFormatError(f"{where}: not valid JSON ({exc})") from exc


def _as_id(value: Any) -> str | None:
    """Ids may be ints in the wild; bools and empty strings are not ids."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str) and str(value).strip():
        return str(value).strip()
    return None


def _as_answer(value: Any) -> str | None:
    """Answers may be numbers or (rarely) lists; the metrics only ever compare strings."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    return None


def _clip(text: str, field: str, report: _Reporter) -> str:
    if len(text) <= MAX_TURN_CHARS:
        return text
    report.note(field, f"turn of {len(text)} chars truncated to {MAX_TURN_CHARS}")
    return text[:MAX_TURN_CHARS]


_DATE_FORMATS = (
    "%I:%M %p on %d %B, %Y",  # LoCoMo: "9:12 am on 3 March, 2023"
    "%I:%M %p on %d %b, %Y",
    "%Y/%m/%d %H:%M",  # LongMemEval: "2023/05/02 (Tue) 10:00", weekday removed first
    "%Y/%m/%d",
)


def _parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = " ".join(re.sub(r"\([A-Za-z]+\)", " ", value).split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _date_field(raw: dict[str, Any], key: str, report: _Reporter, prefix: str = "") -> datetime | None:
    value = raw.get(key)
    parsed = _parse_date(value)
    if parsed is None and value is not None:
        report.note(prefix + key, f"unreadable date {value!r}; left empty")
    return parsed


def _locomo_record(record: dict[str, Any], report: _Reporter) -> Conversation | None:
    sample_id = _as_id(record.get("sample_id"))
    conv = record.get("conversation")
    if sample_id is None:
        report.note("sample_id", "missing or not a string/int; record skipped")
        return None
    if not isinstance(conv, dict):
        report.note("conversation", "missing or not an object; record skipped")
        return None
    speaker_a, speaker_b = conv.get("speaker_a"), conv.get("speaker_b")
    if not isinstance(speaker_a, str) or not isinstance(speaker_b, str):
        report.note("conversation.speaker_a/speaker_b", "speakers missing or not strings; record skipped")
        return None
    conversation = Conversation(id=sample_id, speakers=[speaker_a, speaker_b])
    numbered = sorted((int(m.group(1)), k) for k in conv if (m := re.fullmatch(r"session_(\d+)", str(k))))
    seen: set[str] = set()
    for _, key in numbered:
        stamp = _date_field(conv, f"{key}_date_time", report, "conversation.")
        session = _locomo_session(conv[key], key, stamp, speaker_a, seen, report)
        if session is not None:
            conversation.sessions.append(session)
    if not conversation.sessions:
        report.note("conversation", "no usable sessions; record skipped")
        return None
    turn_sessions = conversation.turn_sessions()
    qa = record.get("qa")
    if not isinstance(qa, list):
        report.note("qa", "missing or not a list; conversation kept without questions")
        qa = []
    for q_index, raw in enumerate(qa):
        question = _locomo_question(raw, f"qa[{q_index}]", f"{sample_id}:q{q_index}", turn_sessions, report)
        if question is not None:
            conversation.questions.append(question)
    return conversation


def _locomo_session(
    raw_turns: Any, key: str, stamp: datetime | None, speaker_a: str, seen: set[str], report: _Reporter
) -> Session | None:
    field = f"conversation.{key}"
    if not isinstance(raw_turns, list):
        report.note(field, f"session is {type(raw_turns).__name__}, not a list; skipped")
        return None
    if not raw_turns:
        report.note(field, "empty session; skipped")
        return None
    session = Session(id=key, timestamp=stamp)
    for t_index, raw in enumerate(raw_turns):
        turn_field = f"{field}[{t_index}]"
        if not isinstance(raw, dict):
            report.note(turn_field, "turn is not an object; skipped")
            continue
        speaker, dia_id, text = raw.get("speaker"), _as_id(raw.get("dia_id")), raw.get("text")
        checks = {
            "speaker": isinstance(speaker, str),
            "dia_id": dia_id is not None,
            "text": isinstance(text, str),
        }
        if not all(checks.values()):
            bad = next(name for name, ok in checks.items() if not ok)
            report.note(f"{turn_field}.{bad}", "missing or wrong type; turn skipped")
            continue
        assert isinstance(speaker, str) and dia_id is not None and isinstance(text, str)
        if dia_id in seen:
            report.note(f"{turn_field}.dia_id", f"duplicate dia_id {dia_id!r}; turn skipped")
            continue
        seen.add(dia_id)
        caption = raw.get("blip_caption")
        if isinstance(caption, str) and caption.strip():
            text = f"{text} [image: {caption.strip()}]".strip()
        role: Role = "user" if speaker == speaker_a else "assistant"
        text = _clip(text, f"{turn_field}.text", report)
        session.turns.append(Turn(dia_id, key, speaker, role, text, stamp))
    if not session.turns:
        report.note(field, "no usable turns; session skipped")
        return None
    return session


def _locomo_evidence(raw: Any, field: str, turn_sessions: dict[str, str], report: _Reporter) -> list[str]:
    """Evidence ids in the public file are sometimes joined ("D8:6; D9:17") or zero-padded."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        report.note(field, "evidence is not a list; treated as empty")
        return []
    found: list[str] = []
    unknown: list[str] = []
    for item in raw:
        for part in re.split(r"[;,\s]+", str(item)):
            if not part:
                continue
            m = re.fullmatch(r"D(\d+):(\d+)", part)
            candidate = f"D{int(m.group(1))}:{int(m.group(2))}" if m and part not in turn_sessions else part
            if candidate in turn_sessions:
                if candidate not in found:
                    found.append(candidate)
            else:
                unknown.append(part)
    if unknown:
        report.note(field, f"unknown evidence ids dropped: {', '.join(unknown[:5])}")
    return found


def _locomo_question(
    raw: Any, field: str, qid: str, turn_sessions: dict[str, str], report: _Reporter
) -> Question | None:
    if not isinstance(raw, dict):
        report.note(field, "question is not an object; skipped")
        return None
    text = raw.get("question")
    if not isinstance(text, str) or not text.strip():
        report.note(f"{field}.question", "missing or not a string; question skipped")
        return None
    category = raw.get("category")
    number = int(category) if isinstance(category, int | str) and str(category).strip().isdigit() else None
    if number not in LOCOMO_CATEGORIES:
        report.note(f"{field}.category", f"unknown category {category!r}; question skipped")
        return None
    answer = _as_answer(raw.get("answer"))
    if answer is None and number != 5:
        report.note(f"{field}.answer", "missing or not a string/number; question skipped")
        return None
    evidence = _locomo_evidence(raw.get("evidence"), f"{field}.evidence", turn_sessions, report)
    return Question(
        id=qid,
        question=text.strip(),
        answer=answer,
        evidence=evidence,
        evidence_sessions=list(dict.fromkeys(turn_sessions[e] for e in evidence)),
        category=LOCOMO_CATEGORIES[number],
        abstention=number == 5,
        adversarial_answer=_as_answer(raw.get("adversarial_answer")),
    )


def _longmemeval_record(record: dict[str, Any], report: _Reporter) -> Conversation | None:
    qid = _as_id(record.get("question_id"))
    text, answer = record.get("question"), _as_answer(record.get("answer"))
    sessions_raw = record.get("haystack_sessions")
    for name, ok in (
        ("question_id", qid is not None),
        ("question", isinstance(text, str) and bool(text.strip())),
        ("answer", answer is not None),
        ("haystack_sessions", isinstance(sessions_raw, list)),
    ):
        if not ok:
            report.note(name, "missing or wrong type; record skipped")
            return None
    assert qid is not None and isinstance(text, str) and isinstance(sessions_raw, list)
    ids, dates = _lme_session_meta(record, qid, len(sessions_raw), report)
    conversation = Conversation(id=qid, speakers=["user", "assistant"])
    marked: list[str] = []
    for s_index, (sid, raw_turns) in enumerate(zip(ids, sessions_raw, strict=True)):
        session = _lme_session(
            raw_turns, f"haystack_sessions[{s_index}]", sid, dates[s_index], marked, report
        )
        if session is not None:
            conversation.sessions.append(session)
    if not conversation.sessions:
        report.note("haystack_sessions", "no usable sessions; record skipped")
        return None
    present = {s.id: s for s in conversation.sessions}
    answer_ids = record.get("answer_session_ids")
    if not isinstance(answer_ids, list):
        report.note("answer_session_ids", "missing or not a list; treated as empty")
        answer_ids = []
    evidence_sessions = [aid for a in answer_ids if (aid := _as_id(a)) is not None and aid in present]
    if len(evidence_sessions) < len(answer_ids):
        report.note("answer_session_ids", "some answer sessions are not in the haystack; ignored")
    evidence = marked or [t.id for sid in evidence_sessions for t in present[sid].turns]
    question_type = record.get("question_type")
    if not isinstance(question_type, str):
        report.note("question_type", "missing or not a string; category left empty")
        question_type = ""
    conversation.questions.append(
        Question(
            id=qid,
            question=text.strip(),
            answer=answer,
            evidence=evidence,
            evidence_sessions=evidence_sessions,
            category=question_type,
            abstention=qid.endswith("_abs"),
            asked_at=_date_field(record, "question_date", report),
        )
    )
    return conversation


def _lme_session_meta(
    record: dict[str, Any], qid: str, count: int, report: _Reporter
) -> tuple[list[str], list[datetime | None]]:
    """Session ids and dates, repaired when missing, short or duplicated so turn ids stay unique."""
    raw_ids, raw_dates = record.get("haystack_session_ids"), record.get("haystack_dates")
    if not isinstance(raw_ids, list) or len(raw_ids) != count:
        report.note("haystack_session_ids", "missing or length differs from haystack_sessions; ids generated")
        raw_ids = [f"{qid}:s{i}" for i in range(count)]
    ids: list[str] = []
    for i, raw in enumerate(raw_ids):
        sid = _as_id(raw) or f"{qid}:s{i}"
        if sid in ids:
            report.note(f"haystack_session_ids[{i}]", f"duplicate session id {sid!r}; renamed")
            sid = f"{sid}#{i}"
        ids.append(sid)
    if raw_dates is not None and (not isinstance(raw_dates, list) or len(raw_dates) != count):
        report.note("haystack_dates", "not a list of the haystack's length; dates left empty")
        raw_dates = None
    dates = [_parse_date(d) for d in (raw_dates or [None] * count)]
    return ids, dates


def _lme_session(
    raw_turns: Any, field: str, sid: str, stamp: datetime | None, marked: list[str], report: _Reporter
) -> Session | None:
    if not isinstance(raw_turns, list):
        report.note(field, f"session is {type(raw_turns).__name__}, not a list; skipped")
        return None
    if not raw_turns:
        report.note(field, "empty session; skipped")
        return None
    session = Session(id=sid, timestamp=stamp)
    for t_index, raw in enumerate(raw_turns):
        turn_field = f"{field}[{t_index}]"
        role = raw.get("role") if isinstance(raw, dict) else None
        content = raw.get("content") if isinstance(raw, dict) else None
        if role not in ("user", "assistant") or not isinstance(content, str):
            report.note(turn_field, "turn needs role user/assistant and string content; skipped")
            continue
        assert isinstance(raw, dict)
        turn = Turn(
            f"{sid}:{t_index}", sid, role, role, _clip(content, f"{turn_field}.content", report), stamp
        )
        session.turns.append(turn)
        if raw.get("has_answer") is True:
            marked.append(turn.id)
    if not session.turns:
        report.note(field, "no usable turns; session skipped")
        return None
    return session
