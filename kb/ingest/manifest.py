"""Which bundle files an earlier ingest stored, by the hash of their bytes (derived state).

Re-reading an unchanged bundle of 100,000 files spent minutes parsing what it had already
stored. The manifest remembers, per source, the hash of the file and its sidecar, the
fingerprint the store gave the record and the problems reading it raised. A file whose hash
is the same, read with the same known people, and whose document still has that fingerprint
in the database, is not parsed again: its problems are reported as before and the store
counts it unchanged. A missing or unreadable manifest only means every file is read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from kb.ingest.records import Problem
from kb.limits import MAX_FILE_BYTES, MAX_METADATA_BYTES

MANIFEST_FILE = "ingest-manifest.json"
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
    entries: Mapping[str, dict], stored: Mapping[str, str]
) -> Callable[[str, Path, set[str]], tuple[str | None, list[Problem] | None]]:
    """Return reuse(source, path, known people) -> (digest, problems if unchanged, else None)."""
    keys: dict[frozenset, str] = {}

    def reuse(source: str, path: Path, known: set[str]) -> tuple[str | None, list[Problem] | None]:
        frozen = frozenset(known)
        if frozen not in keys:
            keys[frozen] = people_key(frozen)
        digest = file_digest(path, keys[frozen])
        entry = entries.get(source)
        if (
            digest is None
            or entry is None
            or entry.get("digest") != digest
            or stored.get(source) is None
            or stored.get(source) != entry.get("fingerprint")
        ):
            return digest, None
        return digest, [Problem(source, r, bool(f)) for r, f in entry.get("problems", [])]

    return reuse


def entries_after(
    old: Mapping[str, dict], contents, fingerprints: Mapping[str, str]
) -> dict[str, dict]:
    """Return the manifest after an ingest: read files afresh, unchanged ones as they were."""
    problems: dict[str, list] = {}
    for p in contents.problems:
        problems.setdefault(p.source, []).append([p.reason, p.refused])
    out = {s: old[s] for s in contents.unchanged if s in old}
    for record in contents.documents:
        digest = contents.digests.get(record.source)
        if digest and record.source in fingerprints:
            out[record.source] = {
                "digest": digest,
                "fingerprint": fingerprints[record.source],
                "problems": problems.get(record.source, []),
            }
    return out


def save(path: Path, entries: Mapping[str, dict]) -> None:
    """Write the manifest atomically (a torn one would only be ignored, but never half-read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"version": VERSION, "entries": entries}, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
