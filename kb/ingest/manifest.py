"""Which bundle files an earlier ingest stored, by the hash of their bytes (derived state).

Re-reading an unchanged bundle of 100,000 files spent minutes parsing what it had already
stored. The manifest remembers, per source, the hash of the file and its sidecar (and their
sizes and modification times, so an unchanged file is not even read again), the
fingerprint the store gave the record and the problems reading it raised. A file whose hash
is the same, read with the same known people, and whose document still has that fingerprint
in the database, is not parsed again: its problems are reported as before and the store
counts it unchanged. A missing or unreadable manifest only means every file is read.

An ingest adds each batch's entries to a journal beside the manifest just before it stores
the batch (`Manifest.add`), and writes the manifest whole at the end (`Manifest.save`): a
killed ingest, run again, reads none of the files it had stored. An entry is only trusted
with the database's word (the fingerprint of what it stores), so a line a kill tore, or one
for a batch whose commit never came or whose record was refused, costs a file read again,
never a wrong answer.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from kb.files import replace_bytes
from kb.ingest.records import Problem
from kb.limits import MAX_FILE_BYTES, MAX_METADATA_BYTES

MANIFEST_FILE = "ingest-manifest.json"
RACY_SECONDS = 2.0
VERSION = 1


def file_digest(path: Path, people_key: str) -> str | None:
    """Hash a document file, its sidecar (if any) and the known people it was read with.

    None for a file over the size limits: those are refused unread, never hashed.
    """
    digest = hashlib.sha256(people_key.encode())
    for part, limit in ((path, MAX_FILE_BYTES), (path.with_name(path.name + ".yaml"), None)):
        try:
            if limit and part.stat().st_size > limit:
                return None
            data = part.read_bytes()
        except FileNotFoundError:
            data = b"\0missing"
        if limit is None and len(data) > MAX_METADATA_BYTES:
            return None
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def file_signature(path: Path, people: str) -> str | None:
    """Name a file's and its sidecar's size, modification time and inode, and the people key.

    An unchanged signature stands for unchanged bytes (as git and rsync take it), so an
    unchanged bundle is not read again. None for a file modified in the last RACY_SECONDS:
    it could still change within its clock tick, so it is always hashed.
    """
    parts = [people[:16]]
    now = time.time_ns()
    for part in (path, path.with_name(path.name + ".yaml")):
        try:
            st = part.stat()
        except FileNotFoundError:
            parts.append("-")
            continue
        if now - st.st_mtime_ns < RACY_SECONDS * 1e9:
            return None
        parts.append(f"{st.st_size}.{st.st_mtime_ns}.{st.st_ino}")
    return ":".join(parts)


def people_key(ids: Iterable[str]) -> str:
    """Key the set of people a bundle declares (an author's warning depends on it)."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def load(path: Path) -> dict[str, dict]:
    """Return {source: entry} from a manifest file; {} when missing or unreadable."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict) or raw.get("version") != VERSION:
        return {}
    entries = raw.get("entries")
    return entries if isinstance(entries, dict) else {}


def reuser(
    entries: dict[str, dict], stored: Mapping[str, str], touched: Callable[[], None] = lambda: None
) -> Callable[[str, Path, set[str]], tuple[str | None, list[Problem] | None]]:
    """Return reuse(source, path, known people) -> (digest, problems if unchanged, else None).

    An unchanged file's entry takes the signature it has now; touched() says one did.
    """
    keys: dict[frozenset, str] = {}

    def reuse(source: str, path: Path, known: set[str]) -> tuple[str | None, list[Problem] | None]:
        frozen = frozenset(known)
        if frozen not in keys:
            keys[frozen] = people_key(frozen)
        entry = entries.get(source)
        recorded = str(entry.get("digest") or "") if entry else ""
        signature = file_signature(path, keys[frozen])
        if signature and recorded.partition("|")[2] == signature:
            digest = recorded  # neither the file nor its sidecar changed since it was hashed
        else:
            digest = file_digest(path, keys[frozen])
            if digest is not None and signature:
                digest = f"{digest}|{signature}"
        if (
            digest is None
            or entry is None
            or recorded.partition("|")[0] != digest.partition("|")[0]
            or stored.get(source) is None
            or stored.get(source) != entry.get("fingerprint")
        ):
            return digest, None
        if recorded != digest:
            # The entry is kept with the signature it now has (the next ingest of an
            # unchanged file then reads nothing); the manifest must be written again.
            entry["digest"] = digest
            touched()
        return digest, [Problem(source, r, bool(f)) for r, f in entry.get("problems", [])]

    return reuse


class Manifest:
    """The manifest of one instance during an ingest: what earlier ingests stored (the
    manifest and any journal a killed one left), grown a batch at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.journal = path.with_name(path.name + ".journal")
        self.entries = load(path)
        self.entries.update(load_journal(self.journal))
        self.fresh: dict[str, dict] = {}
        self.touched = False

    def reuser(self, stored: Mapping[str, str]):
        """Return reuse() over this manifest's entries (the function reuser)."""
        return reuser(self.entries, stored, lambda: setattr(self, "touched", True))

    def add(self, entries: Mapping[str, dict]) -> None:
        """Remember the entries of a batch about to be stored (one line of the journal)."""
        if not entries:
            return
        self.fresh.update(entries)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.journal, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"version": VERSION, "entries": entries}, ensure_ascii=False))
            fh.write("\n")

    def save(self, unchanged: Iterable[str]) -> None:
        """Write the manifest after a whole ingest: the files it did not read as they were,
        those it stored afresh; the journal is then done with."""
        kept = {s: self.entries[s] for s in unchanged if s in self.entries}
        if self.touched or self.fresh or len(kept) != len(self.entries) or self.journal.exists():
            save(self.path, kept | self.fresh)
        # else: an unchanged bundle, read as the manifest says; writing it again costs seconds
        self.journal.unlink(missing_ok=True)


def entry(digest: str, fingerprint: str, problems: Iterable[Problem]) -> dict:
    """Return the manifest entry of a file whose record has this fingerprint, with the
    problems reading it raised."""
    return {
        "digest": digest,
        "fingerprint": fingerprint,
        "problems": [[p.reason, p.refused] for p in problems],
    }


def load_journal(path: Path) -> dict[str, dict]:
    """Return the entries of a journal, later lines first to last; a torn line is skipped."""
    out: dict[str, dict] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return out
    for line in lines:
        try:
            raw = json.loads(line)
        except ValueError:  # the last line of a killed ingest
            continue
        if isinstance(raw, dict) and raw.get("version") == VERSION:
            entries = raw.get("entries")
            if isinstance(entries, dict):
                out.update(entries)
    return out


def save(path: Path, entries: Mapping[str, dict]) -> None:
    """Write the manifest atomically (a torn one would only be ignored, but never half-read)."""
    text = json.dumps({"version": VERSION, "entries": entries}, ensure_ascii=False)
    replace_bytes(path, text.encode("utf-8"))
