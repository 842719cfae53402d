"""Recall: score fusion, the three modes, the speaker a query names, episodes with their context."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from memory.models import EPISODIC, Memory
from memory.recall import RecallWeights
from memory.store import index_text


def _episode(ns: str, speaker: str, text: str, situation: str = "") -> Memory:
    return Memory(
        namespace=ns,
        kind=EPISODIC,
        content=f"{speaker}: {text}",
        speaker=speaker,
        situation=situation or None,
    )


def test_fused_relevance_is_the_mean_of_both_scaled_scores(lab) -> None:  # noqa: ANN001
    store = lab.store
    store.add_many(
        [
            Memory(namespace="p", content="Lives in Lisbon by the river"),
            Memory(namespace="p", content="Has a cat named Miso"),
            Memory(namespace="p", content="Works as a nurse in Lisbon"),
        ]
    )
    hits = store.recall("p", "Lisbon river", k=3)
    assert hits[0].memory.content == "Lives in Lisbon by the river"
    top = hits[0].parts  # the best of both rankers: each scaled part is 1, so is their mean
    assert top.lexical_rank == 0 and top.dense_rank == 0 and top.relevance == pytest.approx(1.0)
    assert all(0.0 <= h.parts.relevance <= 1.0 for h in hits)
    cat = next(h for h in hits if "cat" in h.memory.content)
    assert cat.parts.lexical_rank is None and cat.parts.relevance <= 0.5  # dense alone: half at most


def test_dense_mode_never_asks_the_lexical_index_and_lexical_mode_never_embeds(lab) -> None:  # noqa: ANN001
    store = lab.store
    store.add(Memory(namespace="p", content="Plays the cello every evening"))
    dense = store.recall("p", "cello", k=1, weights=RecallWeights(mode="dense"))
    assert dense[0].parts.lexical_rank is None and dense[0].parts.dense_rank == 0
    calls: list[list[str]] = []
    real = store.embedder

    class Counting:
        name, dim = real.name, real.dim

        def __call__(self, texts):  # noqa: ANN001, ANN204
            calls.append(list(texts))
            return real(texts)

    store.embedder = Counting()
    lexical = store.recall("p", "cello", k=1, weights=RecallWeights(mode="lexical"))
    assert calls == [] and lexical[0].parts.dense_rank is None and lexical[0].parts.lexical_rank == 0
    with pytest.raises(ValueError, match="recall mode"):
        RecallWeights(mode="both")


def test_the_speaker_a_question_names_comes_first(lab) -> None:  # noqa: ANN001
    store = lab.store
    store.add_many(
        [
            _episode("c", "Melanie", "I painted a sunrise over the lake last week."),
            _episode("c", "Caroline", "I painted a sunrise over the lake last week."),
        ]
    )
    for name in ("Caroline", "Melanie"):
        hits = store.recall("c", f"What did {name} paint?", k=2, kinds=(EPISODIC,))
        assert hits[0].memory.speaker == name and hits[0].parts.speaker == 1.0
        assert hits[1].parts.speaker == 0.0
    off = store.recall(
        "c", "What did Caroline paint?", k=2, kinds=(EPISODIC,), weights=RecallWeights(speaker=0)
    )
    assert all(h.parts.speaker == 0.0 for h in off)


def test_an_episode_is_found_by_the_turns_that_led_to_it(lab) -> None:  # noqa: ANN001
    """'A sunset!' alone says nothing; with the question before it, both rankers find it."""
    store = lab.store
    answer = _episode(
        "c", "Melanie", "A sunset, with purple clouds!", situation="Caroline: What did you paint?"
    )
    store.add_many([answer, _episode("c", "Caroline", "I went hiking on Sunday.")])
    assert index_text(answer) == "Caroline: What did you paint?\nMelanie: A sunset, with purple clouds!"
    for mode in ("lexical", "dense", "fused"):
        hits = store.recall(
            "c", "what did she paint", k=1, kinds=(EPISODIC,), weights=RecallWeights(mode=mode)
        )
        assert hits[0].memory.id == answer.id, mode
        assert hits[0].memory.content == "Melanie: A sunset, with purple clouds!"  # shown without context
    chat = Memory(namespace="c", kind=EPISODIC, content="User: hi\nAssistant: hello", situation="hi")
    assert index_text(chat) == chat.content  # chat episodes already hold their situation


def test_an_old_database_gains_the_new_column(tmp_path: Path) -> None:
    import memory.models  # noqa: F401 - registers the tables
    from memory.db import create_tables, make_engine, sqlite_url

    engine = make_engine(sqlite_url(tmp_path))
    create_tables(engine)
    engine.dispose()
    db = tmp_path / "lab.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE memory DROP COLUMN speaker")
    engine = make_engine(sqlite_url(tmp_path))
    create_tables(engine)
    engine.dispose()
    with sqlite3.connect(db) as conn:
        assert "speaker" in {row[1] for row in conn.execute("PRAGMA table_info(memory)")}
