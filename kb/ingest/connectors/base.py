"""The small protocol every source implements, and what it reports about a remote file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class SourceError(Exception):
    """A source cannot answer (network, authentication, a refused redirect); `transient`
    errors are tried again at the next sync and never count as a deletion."""

    def __init__(self, message: str, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class RemoteEntry:
    """One file or folder as the source describes it, by its path below the synced root."""

    path: str
    is_folder: bool
    etag: str | None = None
    size: int | None = None
    modified: str | None = None
    # A stable id across moves where the source has one (Nextcloud's oc:fileid).
    file_id: str | None = None
    owner: str | None = None


class Source(Protocol):
    """Where synced material lives: list a folder, fetch a file, link to it.

    A source with a change feed (Google Drive's changes.list, OneDrive's delta) may also have
    `listing(seen) -> kb.ingest.connectors.walk.Listing`, built from the feed and what the
    last syncs saw, instead of being walked folder by folder; the rest of the sync is the same.
    """

    name: str
    # True when a folder's ETag changes whenever anything below it does (Nextcloud), so an
    # unchanged folder is skipped without listing it.
    folder_etags: bool

    def list_folder(self, path: str) -> tuple[RemoteEntry, list[RemoteEntry]]:
        """Return the folder itself and its direct children; raise SourceError."""

    def fetch(self, path: str, limit: int) -> bytes:
        """Return a file's bytes, at most `limit` of them; raise SourceError."""

    def link(self, path: str, file_id: str | None = None) -> str:
        """Return the address where people open the file at the source."""

    def share_visibility(self, path: str) -> str | None:
        """Return the visibility the file's sharing implies (None: the source cannot say)."""

    def close(self) -> None:
        """Let go of connections."""
