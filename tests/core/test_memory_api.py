"""The public front door (`memory.MemorySystem`), including the README's script, run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from memory import Fact, MemorySystem

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_script_runs_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    block = re.search(
        r"## Memory as a library.*?```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S
    )
    assert block, "the README shows the front door"
    exec(block.group(1).replace("/tmp/my-memory", str(tmp_path / "m")), {})  # noqa: S102 - our own README
    out = capsys.readouterr().out
    assert "Lives in Lisbon" in out.splitlines()[0] and "['Lives in Lisbon', 'Lives in Porto']" in out


def test_every_call_of_the_front_door(tmp_path: Path) -> None:
    with MemorySystem(tmp_path, embedder="hash") as mem:
        (fact,) = mem.add("Prefers green tea", namespace="p", slot="preference", importance=0.8)
        assert isinstance(fact, Fact) and fact.current and mem.get(fact.id) == fact
        newer = mem.update(fact.id, "Prefers black coffee")
        assert [f.content for f in mem.list("p")] == ["Prefers black coffee"]
        assert len(mem.list("p", history=True)) == 2 and not mem.get(fact.id).current  # type: ignore[union-attr]
        hit = mem.search("coffee", namespace="p", k=1)[0]
        assert hit.fact.id == newer.id and hit.parts.lexical_rank == 0
        with pytest.raises(ValueError, match="needs a model"):
            mem.add("My name is Ada", infer=True)
        with pytest.raises(KeyError):
            mem.update("nope", "x")
        assert mem.delete(newer.id) and mem.get(newer.id) is None
        mem.add("Lives in Oslo", namespace="q")
        assert mem.forget("q") == 1 and mem.list("q") == []


def test_infer_extracts_and_consolidates_with_a_model(tmp_path: Path) -> None:
    from agent_core.lab import Lab
    from labkit import make_settings

    lab = Lab(tmp_path / "lab", make_settings())  # its simulator is the model
    try:
        with MemorySystem(tmp_path / "m", embedder="hash", completer=lab.complete_for_memory) as mem:
            added = mem.add("My name is Ada and I live in Lisbon.", namespace="ada", infer=True)
            assert {"Name is Ada", "Lives in Lisbon"} <= {f.content for f in added}
            mem.add("I moved to Porto.", namespace="ada", infer=True)
            assert "Lives in Porto" in [f.content for f in mem.list("ada", "semantic")]
            assert "Lives in Lisbon" not in [f.content for f in mem.list("ada", "semantic")]
    finally:
        lab.close()
