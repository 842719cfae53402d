"""Settings shared by the CLI and the desktop: a JSON file in the data dir, never holding secrets."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from pathlib import Path

from agent_core.simulator.core import SimConfig
from memory.pipeline import MEMORY_MODES

PROVIDERS = ("sim", "openai", "local")
AGENT_SOURCES = ("lab", "agui")
"""Who answers the chat: the lab's own agent (over the provider) or a remote AG-UI agent's URL."""
ARCHITECTURES = ("tool_loop", "single_call", "plan_and_solve", "reflection")
"""agent_core.chat.architectures' functions, by name (kept here: settings must not import the agent)."""
SECRET_KEYS = ("api_key",)


@dataclass
class ProviderSettings:
    """A provider is base_url + api_key + model; `sim` is the offline default."""

    kind: str = "sim"  # sim | openai | local
    base_url: str = ""
    model: str = "sim-1"
    model_path: str = ""
    """The GGUF file of the local model (empty: the packaged SmolLM2-135M-Instruct)."""
    api_key_env: str = "OPENAI_API_KEY"
    api_key: str = field(default="", repr=False)  # entered in the UI; never written to disk
    timeout_s: float = 60.0
    max_retries: int = 2
    embed_model: str = "text-embedding-3-small"

    def resolved_key(self) -> str:
        return self.api_key or os.environ.get(self.api_key_env, "") or ("sim" if self.kind == "sim" else "")


@dataclass
class Settings:
    provider: ProviderSettings = field(default_factory=ProviderSettings)
    sim: SimConfig = field(default_factory=SimConfig)
    memory_mode: str = "background"
    architecture: str = "tool_loop"
    """How a chat turn thinks (agent_core.chat.architectures): tool_loop, single_call, plan_and_solve
    or reflection; the others answer without tools, so a hot-path turn keeps the tool loop."""
    embedder: str = "minilm"
    recall_k: int = 5
    w_relevance: float = 1.0
    w_recency: float = 0.25
    w_importance: float = 0.25
    debounce_s: float = 1.5
    policy: str = "supersede"
    min_importance: float = 0.0
    min_confidence: float = 0.0
    feedback_auto_accept: bool = True  # False: feedback only proposes changes until accepted
    streaming: bool = True
    agent_source: str = "lab"
    agui_url: str = ""
    """The AG-UI endpoint the chat talks to when `agent_source` is "agui" (POST RunAgentInput → SSE)."""
    theme: str = "light"
    profile: str = "default"
    problems: list[str] = field(default_factory=list, repr=False, compare=False)
    """What `from_json` replaced by its default (shown as warnings; never written to JSON)."""

    def validate(self) -> list[str]:
        errs = [f"{path}: {_short(value)} {need}" for path, value, need in _broken(self)]
        if self.provider.kind == "openai" and not self.provider.base_url.startswith(("http://", "https://")):
            errs.append("provider.base_url: must start with http:// or https://")
        if self.agent_source == "agui" and not self.agui_url.startswith(("http://", "https://")):
            errs.append("agui_url: the AG-UI agent's URL must start with http:// or https://")
        return errs

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("problems", None)
        for k in SECRET_KEYS:
            d["provider"].pop(k, None)
        return d

    @classmethod
    def from_json(cls, d: dict) -> Settings:
        """Build from a dict, ignoring unknown keys. A bad value (wrong type, out of range, unknown
        name) falls back to that field's default and is noted in `problems`, so one typo in
        settings.json costs that one setting, not the app's start."""
        if not isinstance(d, dict):
            raise ValueError("settings must be a JSON object")
        s = cls()
        prov = d.get("provider")
        if not isinstance(prov, dict):
            prov = {}
        for f in fields(ProviderSettings):
            if f.name in prov and f.name not in SECRET_KEYS:
                _set_typed(s.provider, f.name, prov[f.name], s.problems, "provider.")
        if isinstance(sim := d.get("sim"), dict):
            for f in fields(SimConfig):
                if f.name in sim:
                    _set_typed(s.sim, f.name, sim[f.name], s.problems, "sim.")
        for f in fields(cls):
            if f.name not in ("provider", "sim", "problems") and f.name in d:
                _set_typed(s, f.name, d[f.name], s.problems)
        default = cls()
        for path, value, need in _broken(s):
            owner, name = _owner(s, path)
            fallback = getattr(_owner(default, path)[0], name)
            setattr(owner, name, fallback)
            s.problems.append(f"{path} {_short(value)} {need}; using {fallback!r}")
        return s

    def save(self, data_dir: Path) -> None:
        path = Path(data_dir) / "settings.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)

    @classmethod
    def load(cls, data_dir: Path) -> Settings:
        path = Path(data_dir) / "settings.json"
        if not path.exists():
            return cls()
        try:
            return cls.from_json(json.loads(path.read_text()))
        except (ValueError, OSError, RecursionError):
            aside = path.with_suffix(".corrupt.json")
            path.replace(aside)  # keep it for the user, start clean
            s = cls()
            s.problems.append(f"not a readable JSON object (moved to {aside.name}); using the defaults")
            return s


_EMBEDDER = re.compile(r"minilm|hash(-[1-9][0-9]{0,4})?|openai(:\S+)?")
Rule = tuple[str, Callable[[object], bool], str]
"""(field path, check, what a bad value is told)."""


def _one_of(names: tuple[str, ...]) -> tuple[Callable[[object], bool], str]:
    return (lambda v: v in names), f"is not one of {', '.join(names)}"


def _between(lo: float, hi: float) -> tuple[Callable[[object], bool], str]:
    return (lambda v: isinstance(v, int | float) and lo <= v <= hi), f"is not between {lo:g} and {hi:g}"


def _seconds(v: object, *, zero: bool) -> bool:
    return isinstance(v, int | float) and (v >= 0 if zero else v > 0) and v < math.inf


@cache
def _rules() -> tuple[Rule, ...]:
    """The rules `validate` and `from_json` share; built on first use so that importing settings
    (every CLI start) does not import the memory package."""
    from memory.consolidation import POLICIES

    return (
        ("memory_mode", *_one_of(MEMORY_MODES)),
        ("architecture", *_one_of(ARCHITECTURES)),
        ("provider.kind", *_one_of(PROVIDERS)),
        ("agent_source", *_one_of(AGENT_SOURCES)),
        (
            "embedder",
            lambda v: isinstance(v, str) and _EMBEDDER.fullmatch(v) is not None,
            "is not one of minilm, hash, hash-N, openai[:model]",
        ),
        ("policy", *_one_of(POLICIES)),
        ("provider.max_retries", *_between(0, 10)),
        ("provider.timeout_s", lambda v: _seconds(v, zero=False), "is not a number of seconds above 0"),
        ("recall_k", *_between(1, 100)),
        *(("w_" + w, *_between(0, 10)) for w in ("relevance", "recency", "importance")),
        ("debounce_s", lambda v: _seconds(v, zero=True), "is not a number of seconds (0 or more)"),
    )


def _owner(s: Settings, path: str) -> tuple[object, str]:
    """The object holding a field path ("recall_k", "provider.kind") and the attribute's name."""
    head, _, name = path.rpartition(".")
    return (getattr(s, head) if head else s), name


def _broken(s: Settings) -> list[tuple[str, object, str]]:
    """(path, value, need) of every field that breaks its rule."""
    out = []
    for path, ok, need in _rules():
        value = getattr(*_owner(s, path))
        if not ok(value):
            out.append((path, value, need))
    return out


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_KIND_WORDS = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}


def _set_typed(obj: object, name: str, value: object, problems: list[str], prefix: str = "") -> None:
    """Set `name` if `value` has (or converts to) the field's type; otherwise note a problem."""
    current = getattr(obj, name)
    try:
        if isinstance(current, bool):
            if isinstance(value, bool):
                setattr(obj, name, value)
                return
        elif isinstance(current, int | float) and isinstance(value, int | float | str):
            if not isinstance(value, bool):  # "5" and 5.0 convert; "five" and Infinity raise, caught below
                setattr(obj, name, int(value) if isinstance(current, int) else float(value))
                return
        elif isinstance(current, str) and isinstance(value, str):
            setattr(obj, name, value)
            return
    except (TypeError, ValueError, OverflowError):  # e.g. Infinity for an int: keep the default
        pass
    kind = _KIND_WORDS.get(type(current), type(current).__name__)
    problems.append(f"{prefix}{name} {_short(value)} is not {kind}; using {current!r}")
