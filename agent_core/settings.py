"""Settings shared by the CLI and the desktop: a JSON file in the data dir, never holding secrets."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from agent_core.simulator.core import SimConfig

MEMORY_MODES = ("hot_path", "background", "both", "off")
PROVIDERS = ("sim", "openai", "local")
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
    theme: str = "light"
    profile: str = "default"

    def validate(self) -> list[str]:
        errs = []
        if self.memory_mode not in MEMORY_MODES:
            errs.append(f"memory_mode: {self.memory_mode!r} is not one of {', '.join(MEMORY_MODES)}")
        if self.provider.kind not in PROVIDERS:
            errs.append(f"provider.kind: {self.provider.kind!r} is not one of {', '.join(PROVIDERS)}")
        if self.provider.kind == "openai" and not self.provider.base_url.startswith(("http://", "https://")):
            errs.append("provider.base_url: must start with http:// or https://")
        if not 1 <= self.recall_k <= 100:
            errs.append("recall_k: must be between 1 and 100")
        for name in ("w_relevance", "w_recency", "w_importance"):
            if not 0 <= getattr(self, name) <= 10:
                errs.append(f"{name}: must be between 0 and 10")
        return errs

    def to_json(self) -> dict:
        d = asdict(self)
        for k in SECRET_KEYS:
            d["provider"].pop(k, None)
        return d

    @classmethod
    def from_json(cls, d: dict) -> Settings:
        """Build from a dict, ignoring unknown keys and keeping defaults for bad types."""
        if not isinstance(d, dict):
            raise ValueError("settings must be a JSON object")
        s = cls()
        prov = d.get("provider") if isinstance(d.get("provider"), dict) else {}
        for f in fields(ProviderSettings):
            if f.name in prov and f.name not in SECRET_KEYS:
                _set_typed(s.provider, f.name, prov[f.name])
        if isinstance(d.get("sim"), dict):
            for f in fields(SimConfig):
                if f.name in d["sim"]:
                    _set_typed(s.sim, f.name, d["sim"][f.name])
        for f in fields(cls):
            if f.name not in ("provider", "sim") and f.name in d:
                _set_typed(s, f.name, d[f.name])
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
        except (ValueError, OSError):
            path.replace(path.with_suffix(".corrupt.json"))  # keep it for the user, start clean
            return cls()


def _set_typed(obj: object, name: str, value: object) -> None:
    current = getattr(obj, name)
    try:
        if isinstance(current, bool):
            if isinstance(value, bool):
                setattr(obj, name, value)
        elif isinstance(current, int) and not isinstance(value, bool):
            setattr(obj, name, int(value))  # type: ignore[arg-type]
        elif isinstance(current, float) and not isinstance(value, bool):
            setattr(obj, name, float(value))  # type: ignore[arg-type]
        elif isinstance(current, str) and isinstance(value, str):
            setattr(obj, name, value)
    except (TypeError, ValueError, OverflowError):  # e.g. Infinity for an int: keep the default
        pass
