"""What kb last saw of a source (sync_files) and the record of each sync (sync_runs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kb.ingest.connectors.base import RemoteEntry
from kb.models import SyncFile, SyncRun


@dataclass(frozen=True)
class Seen:
    """A sync_files row as the sync plans with it."""

    path: str
    is_folder: bool
    etag: str | None
    sidecar_etag: str | None
    size: int | None
    file_id: str | None
    document: str | None


def load(session: Session, name: str) -> dict[str, Seen]:
    """Return what the last syncs saw of a source, by path."""
    rows = session.scalars(select(SyncFile).where(SyncFile.source_name == name))
    return {
        r.path: Seen(r.path, r.is_folder, r.etag, r.sidecar_etag, r.size, r.file_id, r.document)
        for r in rows
    }


def remember(
    session: Session,
    name: str,
    entry: RemoteEntry,
    sidecar_etag: str | None,
    document: str | None,
    problem: str | None = None,
    link: str | None = None,
    old_path: str | None = None,
) -> None:
    """Write what was just stored of one file (in the store's transaction)."""
    if old_path is not None and old_path != entry.path:
        session.execute(
            delete(SyncFile).where(SyncFile.source_name == name, SyncFile.path == old_path)
        )
    row = session.scalar(
        select(SyncFile).where(SyncFile.source_name == name, SyncFile.path == entry.path)
    )
    if row is None:
        row = SyncFile(source_name=name, path=entry.path, is_folder=False)
        session.add(row)
    row.etag, row.sidecar_etag, row.size = entry.etag, sidecar_etag, entry.size
    row.modified, row.file_id, row.link = entry.modified, entry.file_id, link
    row.document, row.problem = document, problem


def forget(session: Session, name: str, path: str) -> None:
    """Drop a file that is gone from the source."""
    session.execute(delete(SyncFile).where(SyncFile.source_name == name, SyncFile.path == path))


def save_folders(session: Session, name: str, folders: dict[str, str | None] | None) -> None:
    """Replace the folder ETags of a source (None: forget them, so all is listed next time)."""
    session.execute(
        delete(SyncFile).where(SyncFile.source_name == name, SyncFile.is_folder.is_(True))
    )
    for path, etag in (folders or {}).items():
        session.add(SyncFile(source_name=name, path=path, is_folder=True, etag=etag))


def start_run(session: Session, name: str, now: datetime) -> int:
    """Record a sync starting; a run still 'running' from before was killed: interrupted."""
    for run in session.scalars(
        select(SyncRun).where(SyncRun.source_name == name, SyncRun.status == "running")
    ):
        run.status = "interrupted"
    run = SyncRun(source_name=name, started=now, status="running", counts={}, problems=[])
    session.add(run)
    session.flush()
    return run.id


def finish_run(
    session: Session, run_id: int, status: str, counts: dict, problems: list[str], error=None
) -> None:
    """Record how a sync ended."""
    run = session.get(SyncRun, run_id)
    run.finished = datetime.now()
    run.status, run.counts, run.problems, run.error = status, counts, problems, error


def recent_runs(session: Session, limit: int = 20) -> list[SyncRun]:
    """Return the last syncs, newest first."""
    return list(session.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)))


def standing_problems(session: Session) -> list[SyncFile]:
    """Return the files refused at their current version (refused again only when changed)."""
    rows = select(SyncFile).where(SyncFile.problem.is_not(None)).order_by(SyncFile.path)
    return list(session.scalars(rows))


def source_link(session: Session, document: str) -> str | None:
    """Return where a synced document lives at its source, or None."""
    return session.scalar(select(SyncFile.link).where(SyncFile.document == document).limit(1))


def load_one(session: Session, name: str, path: str) -> SyncFile | None:
    """Return the row of one remote file, or None."""
    return session.scalar(
        select(SyncFile).where(SyncFile.source_name == name, SyncFile.path == path)
    )
