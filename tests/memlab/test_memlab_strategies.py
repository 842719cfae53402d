"""Strategy presets and the comma-list parser."""

from __future__ import annotations

import pytest

from agent_core.memlab.strategies import (
    PRESETS,
    Strategy,
    UnknownStrategyError,
    get_strategy,
    parse_ks,
    parse_strategies,
)


def test_parse_the_documented_list() -> None:
    spec = "off,full_context,semantic,semantic+episodic,hot_path,background,both,no_consolidation"
    strategies = parse_strategies(spec)
    assert [s.name for s in strategies] == spec.split(",")
    by_name = {s.name: s for s in strategies}
    assert not by_name["off"].stores and not by_name["full_context"].stores
    assert by_name["semantic"].stores and not by_name["semantic"].episodic
    assert by_name["semantic+episodic"].episodic
    assert by_name["background"].background and not by_name["background"].hot
    assert by_name["both"].background and by_name["both"].hot
    assert not by_name["no_consolidation"].consolidate


def test_unknown_names_are_all_reported_with_the_known_ones() -> None:
    with pytest.raises(UnknownStrategyError) as err:
        parse_strategies("off, semantc ,bogus")
    message = str(err.value)
    assert "'semantc'" in message and "'bogus'" in message
    assert all(name in message for name in PRESETS)


def test_aliases_embedder_suffix_duplicates_and_empty() -> None:
    assert get_strategy("semantic_episodic").name == "semantic+episodic"
    assert get_strategy("SEMANTIC@minilm").embedder == "minilm"
    with pytest.raises(UnknownStrategyError, match="embedder"):
        parse_strategies("semantic@word2vec")
    with pytest.raises(UnknownStrategyError, match="twice"):
        parse_strategies("off,off")
    with pytest.raises(UnknownStrategyError, match="no strategies"):
        parse_strategies(" , ")


def test_strategy_validation_and_description() -> None:
    with pytest.raises(ValueError, match="update_mode"):
        Strategy("x", update_mode="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="top_k"):
        Strategy("x", top_k=0)
    assert "no consolidation" in PRESETS["no_consolidation"].describe()
    assert PRESETS["background"].as_dict()["update_mode"] == "background"


def test_parse_ks() -> None:
    assert parse_ks("25, 5,10,5") == [5, 10, 25]
    for bad in ("", "five", "0,5"):
        with pytest.raises(ValueError, match="k values"):
            parse_ks(bad)
