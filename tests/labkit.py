"""Helpers shared by tests (a plain module: several conftest.py files exist, so not `conftest`)."""

from __future__ import annotations


def make_settings(**overrides: object):  # noqa: ANN201 - Settings
    """Fast, deterministic settings: instant simulator, hash embedder, short debounce."""
    from agent_core.settings import Settings
    from agent_core.simulator import SimConfig

    s = Settings(embedder="hash-256", sim=SimConfig.instant(), debounce_s=0.05)
    for k, v in overrides.items():
        setattr(s, k, v)
    return s
