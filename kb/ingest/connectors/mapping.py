"""A fetched remote file as a document record: the bundle reader's own pipeline, then the
folder rules, the file's owner and its sharing for what its sidecar or front matter leaves open."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from kb.ingest.connectors.base import RemoteEntry
from kb.ingest.connectors.config import SyncConfig
from kb.ingest.document import read_document
from kb.ingest.extract import decode_text
from kb.ingest.formats import format_for
from kb.ingest.records import DocumentRecord, Problem
from kb.text.frontmatter import load_yaml, split_front_matter

ORIGIN = "sync"
SIDECAR_ENDINGS = (".yaml", ".yml")


def is_hidden(path: str) -> bool:
    """Tell whether a remote path is hidden or odd (a dot segment, '..', an empty part)."""
    return any(not part or part.startswith(".") for part in path.split("/"))


def sidecar_target(path: str) -> str | None:
    """Return the document a sidecar `NAME.EXT.yaml` belongs to, or None for other files."""
    for ending in SIDECAR_ENDINGS:
        if path.endswith(ending) and format_for(path[: -len(ending)].rsplit("/", 1)[-1]):
            return path[: -len(ending)]
    return None


def source_of(name: str, path: str) -> str:
    """Return the kb source (the document's name everywhere) of a remote file."""
    return f"{name}/{path}"


def given_keys(fmt: str | None, data: bytes, sidecar: bytes | None) -> set[str]:
    """Return the metadata keys the file's front matter or sidecar sets itself."""
    try:
        if fmt == "md":
            meta, _ = split_front_matter(decode_text(data))
        else:
            meta = load_yaml(decode_text(sidecar)) if sidecar else {}
    except Exception:  # read_document reports a broken one; here it only sets nothing
        return set()
    return {str(k) for k in meta} if isinstance(meta, dict) else set()


def read_remote(
    config: SyncConfig,
    entry: RemoteEntry,
    data: bytes,
    sidecar: bytes | None,
    known: set[str],
    shared: str | None = None,
) -> tuple[DocumentRecord | None, list[Problem]]:
    """Read a remote file (and its sidecar) into a record, as a bundle file is read."""
    with tempfile.TemporaryDirectory(prefix="kb-sync-") as tmp:
        root = Path(tmp)
        path = root / config.name / entry.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if sidecar is not None:
            path.with_name(path.name + ".yaml").write_bytes(sidecar)
        record, problems = read_document(root, path, "material", known)
    if record is None:
        return None, problems
    given = given_keys(record.format, data, sidecar)
    return map_record(record, given, config, entry, known, shared), problems


def map_record(
    record: DocumentRecord,
    given: set[str],
    config: SyncConfig,
    entry: RemoteEntry,
    known: set[str],
    shared: str | None,
) -> DocumentRecord:
    """Fill what the file does not say itself from the folder rules, owner and sharing."""
    rules = config.rules_for(entry.path)
    changes: dict = {"origin": ORIGIN}
    for key in ("subjects", "grades", "tags"):
        if key not in given:
            changes[key] = tuple(dict.fromkeys(v for r in rules for v in getattr(r, key)))
    if "visibility" not in given:
        by_rule = next((r.visibility for r in reversed(rules) if r.visibility), None)
        changes["visibility"] = shared or by_rule or "all"
    if "authors" not in given and entry.owner:
        person = str(config.owners.get(entry.owner, entry.owner))
        if person in known:  # only a known colleague becomes an author
            changes["authors"] = (person,)
    return replace(record, **changes)
