"""Strategies: named configurations of the one memory system, compared side by side.

A strategy is not a different memory implementation: it picks what the one `memory` package
stores (nothing, the whole history, extracted facts, facts plus raw turns), when it writes (on the
hot path, in the debounced background worker, or both), how it recalls (weights, top-k, embedder)
and whether new facts are consolidated against old ones. Presets are parsed from a comma list.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Literal

from memory.pipeline import WRITING_MODES
from memory.recall import RecallWeights

MemoryKind = Literal["off", "full_context", "semantic", "semantic_episodic"]
UpdateMode = Literal["hot_path", "background", "both"]  # memory.pipeline.WRITING_MODES

MEMORY_KINDS: tuple[str, ...] = ("off", "full_context", "semantic", "semantic_episodic")
UPDATE_MODES: tuple[str, ...] = WRITING_MODES
EMBEDDERS: tuple[str, ...] = ("hash", "minilm", "openai")
DEFAULT_DEBOUNCE_S = 1.5
"""The app's default idle time before the background worker runs (`Settings.debounce_s`)."""


@dataclass(frozen=True, slots=True)
class Strategy:
    """One memory configuration; `name` labels it in tables and plots."""

    name: str
    memory: MemoryKind = "semantic_episodic"
    update_mode: UpdateMode = "hot_path"
    consolidate: bool = True
    top_k: int = 5
    """How many recalled memories go into the answer prompt (retrieval is scored at every k)."""
    weights: RecallWeights = field(default_factory=RecallWeights)
    embedder: str | None = None
    """None: the run's embedder. Otherwise hash[-dim], minilm or openai[:model]."""
    debounce_s: float = DEFAULT_DEBOUNCE_S

    def __post_init__(self) -> None:
        if self.memory not in MEMORY_KINDS:
            raise ValueError(f"strategy {self.name!r}: memory must be one of {', '.join(MEMORY_KINDS)}")
        if self.update_mode not in UPDATE_MODES:
            raise ValueError(f"strategy {self.name!r}: update_mode must be one of {', '.join(UPDATE_MODES)}")
        if self.top_k < 1:
            raise ValueError(f"strategy {self.name!r}: top_k must be at least 1")
        if self.debounce_s < 0:
            raise ValueError(f"strategy {self.name!r}: debounce_s must not be negative")
        if self.embedder is not None and self.embedder.split(":")[0].split("-")[0] not in EMBEDDERS:
            raise ValueError(f"strategy {self.name!r}: embedder must be one of {', '.join(EMBEDDERS)}")

    @property
    def stores(self) -> bool:
        """Does this strategy write to the memory store at all?"""
        return self.memory in ("semantic", "semantic_episodic")

    @property
    def episodic(self) -> bool:
        """Are raw turns indexed (as episodic memories carrying their turn ids)?"""
        return self.memory == "semantic_episodic"

    @property
    def hot(self) -> bool:
        return self.stores and self.update_mode in ("hot_path", "both")

    @property
    def background(self) -> bool:
        return self.stores and self.update_mode in ("background", "both")

    def describe(self) -> str:
        """One line for tooltips and logs."""
        if not self.stores:
            return {"off": "no memory", "full_context": "whole history in the prompt"}[self.memory]
        w = self.weights
        return (
            f"{self.memory.replace('_', '+')}, {self.update_mode}"
            f"{'' if self.consolidate else ', no consolidation'}, top-{self.top_k}, "
            f"{w.mode} relevance, weights rel {w.relevance:g} / spk {w.speaker:g} / rec {w.recency:g} / imp {w.importance:g}"
            f"{', embedder ' + self.embedder if self.embedder else ''}"
        )

    def as_dict(self) -> dict[str, object]:
        w = self.weights
        return {
            "name": self.name,
            "memory": self.memory,
            "update_mode": self.update_mode,
            "consolidate": self.consolidate,
            "top_k": self.top_k,
            "weights": {
                "relevance": w.relevance,
                "recency": w.recency,
                "importance": w.importance,
                "speaker": w.speaker,
                "half_life_hours": w.half_life_hours,
                "mode": w.mode,
            },
            "embedder": self.embedder,
            "debounce_s": self.debounce_s,
        }


PRESETS: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy("off", memory="off"),
        Strategy("full_context", memory="full_context"),
        Strategy("semantic", memory="semantic"),
        Strategy("semantic+episodic"),
        Strategy("hot_path", update_mode="hot_path"),
        Strategy("background", update_mode="background"),
        Strategy("both", update_mode="both"),
        Strategy("no_consolidation", consolidate=False),
        Strategy("fused"),
        Strategy("dense", weights=RecallWeights(mode="dense")),
        Strategy("lexical", weights=RecallWeights(mode="lexical")),
        Strategy(
            "relevance_only", weights=RecallWeights(relevance=1.0, recency=0.0, importance=0.0, speaker=0.0)
        ),
        Strategy("recency_heavy", weights=RecallWeights(relevance=1.0, recency=1.0, importance=0.25)),
    )
}
ALIASES = {"semantic_episodic": "semantic+episodic", "none": "off", "full": "full_context"}
DEFAULT_STRATEGIES = "off,full_context,semantic,semantic+episodic,background,no_consolidation"


class UnknownStrategyError(ValueError):
    """A strategy name in a list is not a preset; the message lists the known ones."""


def get_strategy(spec: str) -> Strategy:
    """A preset by name, optionally with an embedder suffix: `semantic@minilm`, `background@hash`."""
    text = spec.strip()
    name, _, embedder = text.partition("@")
    name = ALIASES.get(name.strip().lower(), name.strip().lower())
    if name not in PRESETS:
        raise UnknownStrategyError(f"unknown strategy {spec.strip()!r}; known: {', '.join(PRESETS)}")
    strategy = PRESETS[name]
    if embedder:
        strategy = replace(strategy, name=f"{name}@{embedder.strip()}", embedder=embedder.strip())
    return strategy


def parse_strategies(spec: str) -> list[Strategy]:
    """Parse "off,semantic,background" into strategies; every unknown name is reported at once."""
    names = [part.strip() for part in spec.split(",") if part.strip()]
    if not names:
        raise UnknownStrategyError(f"no strategies given; known: {', '.join(PRESETS)}")
    strategies: list[Strategy] = []
    unknown: list[str] = []
    for part in names:
        try:
            strategies.append(get_strategy(part))
        except UnknownStrategyError:
            unknown.append(part)
        except ValueError as exc:  # a bad embedder suffix
            raise UnknownStrategyError(str(exc)) from exc
    if unknown:
        raise UnknownStrategyError(
            f"unknown strateg{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(PRESETS)}"
        )
    counts = Counter(s.name for s in strategies)
    duplicates = [name for name, n in counts.items() if n > 1]
    if duplicates:
        raise UnknownStrategyError(f"strategy listed twice: {', '.join(duplicates)}")
    return strategies


def parse_ks(spec: str) -> list[int]:
    """Parse "5,10,25" into sorted distinct positive ints, with a clear error otherwise."""
    try:
        ks = sorted({int(part) for part in spec.split(",") if part.strip()})
    except ValueError as exc:
        raise ValueError(f"k values must be integers like 5,10,25, not {spec!r}") from exc
    if not ks or ks[0] < 1:
        raise ValueError(f"k values must be positive integers like 5,10,25, not {spec!r}")
    return ks
