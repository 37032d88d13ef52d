"""Sync the sources kb.toml names, one after another, each recorded as a run."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from kb.config import ConfigError
from kb.db import Database
from kb.ingest.connectors import state
from kb.ingest.connectors.base import Source, SourceError
from kb.ingest.connectors.config import SyncConfig, read_sync_configs
from kb.ingest.connectors.sync import Syncer, SyncReport
from kb.ingest.store import Store
from kb.models import Person

log = logging.getLogger("kb.sync")


def webdav_source(config: SyncConfig) -> Source:
    """Open the WebDAV source of a [[sync]] entry with its app password."""
    from kb.ingest.connectors.webdav import WebDAVSource

    return WebDAVSource(config, config.password())


def sync_sources(
    db: Database,
    store: Store,
    instance_path: Path,
    lock: Callable[[], AbstractContextManager],
    names: list[str] | None = None,
    index: bool = True,
    progress=None,
    open_source: Callable[[SyncConfig], Source] = webdav_source,
) -> list[SyncReport]:
    """Sync every configured source (or those named); one sync of an instance at a time."""
    configs = read_sync_configs(instance_path)
    unknown = sorted(set(names or ()) - {c.name for c in configs})
    if unknown:
        raise ConfigError(f"no [[sync]] entry named {', '.join(unknown)} in kb.toml")
    chosen = [c for c in configs if not names or c.name in names]
    reports = []
    with lock(), store.batch(index=index):
        for config in chosen:
            reports.append(sync_one(db, store, config, open_source, progress))
    return reports


def sync_one(
    db: Database, store: Store, config: SyncConfig, open_source, progress=None
) -> SyncReport:
    """Sync one source and record the run; a source that fails changes nothing."""
    with db.write() as session:
        run_id = state.start_run(session, config.name, datetime.now())
    with db.read() as session:
        known = set(session.scalars(select(Person.id)))
    status = "done"
    try:
        source = open_source(config)
        try:
            report = Syncer(config, source, db, store).run(known, progress)
        finally:
            source.close()
    except (SourceError, ConfigError) as exc:
        report, status = SyncReport(config.name, error=str(exc)), "failed"
    except Exception as exc:  # recorded as failed; what was stored so far stays stored
        log.exception("sync %s failed", config.name)
        report, status = SyncReport(config.name, error=f"{type(exc).__name__}: {exc}"), "failed"
    problems = [str(p) for p in report.problems if p.refused]
    with db.write() as session:
        state.finish_run(session, run_id, status, report.counts, problems, report.error)
    return report
