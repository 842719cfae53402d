"""The long-conversation generator: LoCoMo's layout with the hard parts, deterministic per seed."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from agent_core.cli.main import main as cli_main
from agent_core.memlab import load_locomo
from agent_core.memlab.longconv import generate_longconv, write_longconv


def test_same_seed_same_bytes_and_the_importer_reads_it_cleanly(tmp_path: Path) -> None:
    a = write_longconv(tmp_path / "a.json", 3, seed=7).read_bytes()
    b = write_longconv(tmp_path / "b.json", 3, seed=7).read_bytes()
    assert a == b and a != write_longconv(tmp_path / "c.json", 3, seed=8).read_bytes()
    dataset = load_locomo(tmp_path / "a.json")
    assert len(dataset.conversations) == 3 and dataset.problems == []


def test_the_hard_parts_of_real_conversations_are_there() -> None:
    samples = generate_longconv(4, seed=0)
    dataset = load_locomo(samples)
    for sample, conversation in zip(samples, dataset.conversations, strict=True):
        sessions = [k for k in sample["conversation"] if re.fullmatch(r"session_\d+", k)]
        assert 20 <= len(sessions) <= 35
        dates = [c.sessions[0].timestamp for c in [conversation]] + [
            s.timestamp for s in conversation.sessions
        ]
        assert (dates[-1] - dates[1]).days >= 60  # months, not days
        assert len({t.speaker for t in conversation.turns()}) == 2
        by_category = Counter(q.category for q in conversation.questions)
        assert {"multi_hop", "temporal", "open_domain", "single_hop", "adversarial"} <= set(by_category)
        sessions_of = conversation.turn_sessions()
        multi = [q for q in conversation.questions if q.category == "multi_hop"]
        assert all(len({sessions_of[e] for e in q.evidence}) >= 2 for q in multi)
        for q in conversation.questions:
            if q.category == "temporal":
                assert q.question.startswith("When did") and re.search(r"\d{4}", q.answer or "")
            if q.category == "adversarial":
                assert q.answer is None and q.adversarial_answer
        updates = [q for q in conversation.questions if " now?" in q.question]
        assert updates, "a fact that changed (a move) must be asked about"


def test_questions_are_worded_differently_from_their_evidence() -> None:
    """Paraphrase: most single-hop questions share at most one content word with their evidence."""
    from memory.lexical import tokens

    dataset = load_locomo(generate_longconv(3, seed=1))
    overlaps = []
    for conversation in dataset.conversations:
        text = {t.id: t.text for t in conversation.turns()}
        names = {t.speaker.lower() for t in conversation.turns()}
        for q in conversation.questions:
            if q.category == "single_hop":
                words = set(tokens(q.question)) - names
                overlaps.append(len(words & set(tokens(text[q.evidence[0]]))))
    assert sum(1 for n in overlaps if n <= 1) / len(overlaps) >= 0.4


def test_cli_writes_a_file(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "synthetic.json"
    assert cli_main(["dataset", str(out), "--conversations", "2", "--seed", "3"]) == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 2
    assert "2 conversations" in capsys.readouterr().out
