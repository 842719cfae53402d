"""Chroma in a child process: same behaviour as in-process, and the GUI thread keeps running."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_core.chat.agent import ChatAgent
from agent_core.lab import Lab
from labkit import make_settings
from memory.index_process import ChromaProcessIndex, IndexProcessError


def test_child_process_index_serves_the_protocol(tmp_path: Path) -> None:
    idx = ChromaProcessIndex(tmp_path / "chroma", "hash-4")
    try:
        idx.upsert("p", "semantic", ["a", "b"], [[1, 0, 0, 0], [0, 1, 0, 0]])
        assert idx.query("p", "semantic", [1, 0, 0, 0], 5)[0][0] == "a"
        assert idx.ids("p", "semantic") == {"a", "b"}
        assert ("p", "semantic") in idx.namespaces()
        idx.delete("p", "semantic", ["a"])
        assert idx.ids("p", "semantic") == {"b"}
        with pytest.raises(IndexProcessError, match="upsert failed"):
            idx.upsert("p", "semantic", ["x"], [[1, 0]])  # wrong dimension for the collection
        assert idx.ids("p", "semantic") == {"b"}  # the process survives a failed call
        idx.drop_namespace("p")
        assert idx.query("p", "semantic", [1, 0, 0, 0], 5) == []
    finally:
        idx.close()


def test_lab_with_index_process_remembers(tmp_path: Path) -> None:
    lab = Lab(tmp_path / "d", make_settings(), chroma_process=True)
    lab.warm_up()
    try:
        conv = lab.conversations.create("default").id
        ChatAgent(lab, memory_mode="hot_path").turn(conv, "I live in Valparaíso.")
        hits = lab.store.recall("default", "Which city do I live in?", k=3)
        assert hits[0].memory.content == "Lives in Valparaíso" and hits[0].parts.dense_rank is not None
    finally:
        lab.close()
