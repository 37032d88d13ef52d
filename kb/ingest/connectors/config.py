"""The [[sync]] entries of kb.toml: where to sync from, how to log in, how to map folders."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from kb.config import CONFIG_FILE, ConfigError, read_config_file
from kb.ingest.records import VISIBILITIES

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
# Bundle sources start with these: a synced source must never share a document name with them.
RESERVED = ("material", "reflections", "web", "uploads")


@dataclass(frozen=True)
class FolderRule:
    """Metadata for every file below a folder (a sidecar or front matter wins)."""

    folder: str
    subjects: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    visibility: str | None = None


@dataclass(frozen=True)
class SyncConfig:
    name: str
    url: str
    user: str
    password_env: str | None = None
    password_file: str | None = None
    nextcloud: bool = False
    share_api: bool = False
    every_minutes: int = 0
    requests_per_second: float = 5.0
    timeout_seconds: float = 30.0
    # Nextcloud user id -> kb person id, where they differ.
    owners: dict = field(default_factory=dict)
    rules: tuple[FolderRule, ...] = ()

    def password(self) -> str:
        """Read the app password from the environment or its file; never stored by kb."""
        if self.password_env:
            value = os.environ.get(self.password_env)
            if value:
                return value.strip()
            raise ConfigError(f"sync {self.name}: ${self.password_env} is not set")
        if self.password_file:
            try:
                return Path(self.password_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"sync {self.name}: {self.password_file}: {exc}") from None
        raise ConfigError(f"sync {self.name}: give password_env or password_file")

    def rules_for(self, path: str) -> list[FolderRule]:
        """Return the rules whose folder holds the path, the outermost first."""
        found = [
            r
            for r in self.rules
            if not r.folder.strip("/") or (path + "/").startswith(r.folder.strip("/") + "/")
        ]
        return sorted(found, key=lambda r: len(r.folder.strip("/")))


def _strings(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int):
        return (str(value),)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    raise ConfigError(f"{where} must be a list of texts")


def _rule(entry, where: str) -> FolderRule:
    if not isinstance(entry, dict) or "folder" not in entry:
        raise ConfigError(f"{where}: each [[sync.rule]] needs a folder")
    visibility = entry.get("visibility")
    if visibility is not None and visibility not in VISIBILITIES:
        raise ConfigError(f"{where}: visibility must be one of {', '.join(VISIBILITIES)}")
    return FolderRule(
        folder=str(entry["folder"]).strip("/"),
        subjects=_strings(entry.get("subjects"), f"{where}: subjects"),
        grades=_strings(entry.get("grades"), f"{where}: grades"),
        tags=_strings(entry.get("tags"), f"{where}: tags"),
        visibility=visibility,
    )


def read_sync_configs(instance_path: Path) -> list[SyncConfig]:
    """Return the [[sync]] entries of the instance's kb.toml (none when there is no file)."""
    config_file = Path(instance_path) / CONFIG_FILE
    if not config_file.exists():
        return []
    entries = read_config_file(config_file).get("sync", [])
    if isinstance(entries, dict):
        entries = [entries]
    out = []
    for i, entry in enumerate(entries, start=1):
        where = f"{config_file}: [[sync]] {i}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} is not a table")
        if "password" in entry:
            raise ConfigError(f"{where}: no password in kb.toml; use password_env or password_file")
        name = str(entry.get("name") or "")
        if not NAME.match(name) or name in RESERVED:
            raise ConfigError(f"{where}: name must be a-z, 0-9, '-', '_' (not {name!r})")
        url = str(entry.get("url") or "")
        if not url.startswith("https://") and not (
            url.startswith("http://") and entry.get("allow_http") is True
        ):
            raise ConfigError(f"{where}: url must start with https://")
        rules = tuple(_rule(r, where) for r in entry.get("rule", []))
        out.append(
            SyncConfig(
                name=name,
                url=url,
                user=str(entry.get("user") or ""),
                password_env=entry.get("password_env"),
                password_file=entry.get("password_file"),
                nextcloud=entry.get("nextcloud") is True,
                share_api=entry.get("share_api") is True,
                every_minutes=int(entry.get("every_minutes", 0)),
                requests_per_second=float(entry.get("requests_per_second", 5.0)),
                timeout_seconds=float(entry.get("timeout_seconds", 30.0)),
                owners=dict(entry.get("owners") or {}),
                rules=rules,
            )
        )
    names = [c.name for c in out]
    if len(set(names)) != len(names):
        raise ConfigError(f"{config_file}: two [[sync]] entries share a name")
    return out
