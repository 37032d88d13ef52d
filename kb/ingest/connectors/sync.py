"""One sync of one source: list, plan, and apply each change through the store.

Each file's document and its sync_files row change in one transaction, so a sync killed at
any point and started again ends where an uninterrupted one would: a file is fetched again
only while its row does not say the version the source has now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import partial

from kb.db import Database
from kb.ingest.connectors import state
from kb.ingest.connectors.base import RemoteEntry, Source, SourceError
from kb.ingest.connectors.config import SyncConfig
from kb.ingest.connectors.mapping import read_remote, sidecar_target, source_of
from kb.ingest.connectors.state import Seen
from kb.ingest.connectors.walk import Listing, walk
from kb.ingest.formats import format_for
from kb.ingest.records import Problem
from kb.ingest.store import Store
from kb.ingest.submit import Refused
from kb.ingest.versions import VersionError
from kb.limits import MAX_FILE_BYTES, MAX_METADATA_BYTES

# Notes that are the rule in a shared folder, not a fault: a file without a sidecar or title.
EXPECTED = re.compile(
    r"no sidecar .+?\.yaml; title taken from the file name|no title; used the (first heading|file name)"
)
COUNTS = ("added", "updated", "moved", "deleted", "unchanged", "refused", "other")


@dataclass
class SyncReport:
    """What one sync did; `lines()` is what `kb sync` prints."""

    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    problems: list[Problem] = field(default_factory=list)
    fetched: int = 0
    listed: int = 0
    error: str | None = None

    def lines(self) -> list[str]:
        """Render the report: one line of counts, then each bad file on a line of its own."""
        if self.error:
            return [f"{self.name}: failed: {self.error}"]
        parts = ", ".join(f"{self.counts[k]} {k}" for k in COUNTS if k != "other")
        out = [f"{self.name}: {parts} ({self.listed} folders listed, {self.fetched} files fetched)"]
        if self.counts["other"]:
            out.append(f"{self.name}: {self.counts['other']} files of formats kb does not read")
        return out + [str(p) for p in self.problems if p.refused]


@dataclass
class Plan:
    """The changes a listing asks for, with each document file's sidecar."""

    fetch: list[RemoteEntry] = field(default_factory=list)
    moves: dict[str, Seen] = field(default_factory=dict)  # new path -> the file it was
    gone: list[Seen] = field(default_factory=list)
    sidecars: dict[str, RemoteEntry] = field(default_factory=dict)
    unchanged: int = 0
    other: int = 0


def plan(listing: Listing, seen: dict[str, Seen]) -> Plan:
    """Compare a listing with what the last syncs saw."""
    out = Plan()
    documents = {}
    for path, entry in listing.files.items():
        target = sidecar_target(path)
        if target is not None and target in listing.files:
            out.sidecars[target] = entry
        elif format_for(path.rsplit("/", 1)[-1]):
            documents[path] = entry
        elif target is None:
            out.other += 1
    files = {p: s for p, s in seen.items() if not s.is_folder}
    for path, entry in sorted(documents.items()):
        before = files.get(path)
        sidecar = out.sidecars.get(path)
        if before is None or (before.etag, before.sidecar_etag) != (
            entry.etag,
            sidecar.etag if sidecar else None,
        ):
            out.fetch.append(entry)
        else:
            out.unchanged += 1
    out.unchanged += sum(1 for p in files if listing.is_kept(p))
    gone = [s for p, s in sorted(files.items()) if p not in documents and not listing.is_kept(p)]
    new = [e for e in out.fetch if e.path not in files]
    for before in gone:
        match = next((e for e in new if e.path not in out.moves and _same(before, e)), None)
        if match is not None and before.document is not None:
            out.moves[match.path] = before
        else:
            out.gone.append(before)
    return out


def _unexpected(problems: list[Problem]) -> list[Problem]:
    """Drop the notes every file without a sidecar or title would get."""
    out = []
    for problem in problems:
        reason = "; ".join(p for p in EXPECTED.sub("", problem.reason).split("; ") if p.strip())
        if problem.refused or reason:
            out.append(problem if problem.refused else replace(problem, reason=reason))
    return out


def _same(before: Seen, entry: RemoteEntry) -> bool:
    """Tell whether a new file is an old one moved: the same file id, else ETag and size."""
    if before.file_id and entry.file_id:
        return before.file_id == entry.file_id
    return before.etag is not None and (before.etag, before.size) == (entry.etag, entry.size)


class Syncer:
    """Apply one source's changes through the store, one file per transaction."""

    def __init__(self, config: SyncConfig, source: Source, db: Database, store: Store) -> None:
        self.config, self.source, self.db, self.store = config, source, db, store
        self.report = SyncReport(config.name)
        self.transient = False

    def run(self, known: set[str], progress=None) -> SyncReport:
        """List, plan and apply; a source that cannot be listed changes nothing."""
        name = self.config.name
        with self.db.read() as session:
            seen = state.load(session, name)
        # A source with a change feed (Google Drive, OneDrive) answers the listing itself.
        listing = getattr(self.source, "listing", partial(walk, self.source))(seen)
        self.report.listed = listing.listed
        self.report.problems.extend(listing.problems)
        todo = plan(listing, seen)
        self.report.counts["unchanged"] += todo.unchanged
        self.report.counts["other"] += todo.other
        for entry in progress(todo.fetch) if progress else todo.fetch:
            self._one(entry, todo, known)
        for before in todo.gone:
            self._gone(before)
        ok = not (self.transient or listing.problems)
        with self.db.write() as session:
            # A subtree skipped next time must have been applied in full this time.
            state.save_folders(session, name, listing.folders if ok else None)
        return self.report

    def _fetch(self, entry: RemoteEntry, sidecar: RemoteEntry | None):
        data = self.source.fetch(entry.path, MAX_FILE_BYTES)
        self.report.fetched += 1
        extra = None
        if sidecar is not None:
            extra = self.source.fetch(sidecar.path, MAX_METADATA_BYTES)
            self.report.fetched += 1
        return data, extra

    def _one(self, entry: RemoteEntry, todo: Plan, known: set[str]) -> None:
        """Fetch, read and store one new, changed or moved file."""
        name, sidecar = self.config.name, todo.sidecars.get(entry.path)
        moved_from = todo.moves.get(entry.path)
        where = source_of(name, entry.path)
        if entry.size is not None and entry.size > MAX_FILE_BYTES:
            return self._refuse(entry, sidecar, f"larger than {MAX_FILE_BYTES // 2**20} MB")
        try:
            data, extra = self._fetch(entry, sidecar)
            shared = self.source.share_visibility(entry.path)
        except SourceError as exc:
            if not exc.transient:
                return self._refuse(entry, sidecar, str(exc))
            self.transient = True
            self.report.problems.append(Problem(where, f"not fetched ({exc}); tried next sync"))
            return None
        record, problems = read_remote(self.config, entry, data, extra, known, shared)
        self.report.problems.extend(_unexpected(problems))
        if record is None:
            reason = "; ".join(p.reason for p in problems if p.refused) or "refused"
            if moved_from is not None:
                self._gone(moved_from)
            return self._refuse(entry, sidecar, reason, counted=False)
        link = self.source.link(entry.path, entry.file_id)

        def then(session) -> None:
            old = moved_from.path if moved_from else None
            sidecar_etag = sidecar.etag if sidecar else None
            state.remember(session, name, entry, sidecar_etag, where, None, link, old)

        try:
            if moved_from is not None:
                try:
                    self.store.move(moved_from.document, record, then=then)
                    self.report.counts["moved"] += 1
                    return None
                except VersionError:  # the new name is taken by an older document: start anew
                    self._gone(moved_from)
            outcome = self.store.put(record, then=then)
        except Refused as exc:  # over a limit of kb/limits.py: refused by name, the rest go on
            return self._refuse(entry, sidecar, f"{exc.code}: {exc.detail}")
        self.report.counts[outcome] += 1
        return None

    def _refuse(self, entry, sidecar, reason: str, counted: bool = True) -> None:
        """Remember a refused file at its version, so it is read again only once changed."""
        name = self.config.name
        if counted:
            self.report.problems.append(Problem(source_of(name, entry.path), reason))
        self.report.counts["refused"] += 1
        with self.db.write() as session:
            before = state.load_one(session, name, entry.path)
            document = before.document if before is not None else None
            sidecar_etag = sidecar.etag if sidecar else None
            state.remember(session, name, entry, sidecar_etag, document, reason)

    def _gone(self, before: Seen) -> None:
        """Delete the document of a file that is gone (the undo keeps it UNDO_DAYS)."""
        name = self.config.name

        def then(session) -> None:
            state.forget(session, name, before.path)

        if before.document is not None:
            self.store.delete(before.document, then=then)
            self.report.counts["deleted"] += 1
        else:
            with self.db.write() as session:
                then(session)
