"""Read an uploaded file (kb.ingest.pipeline: sniffed once, read in the sandbox) and hand its
record to the store."""

from __future__ import annotations

import json
import re
import secrets
import time

from kb.access import Viewer
from kb.ingest.formats import format_for
from kb.ingest.pipeline import read_upload, web_record
from kb.ingest.sandbox import title_safely
from kb.ingest.submit import Refused, visibility
from kb.search.query.named_facets import grade_span
from kb.service import KnowledgeBase
from kb.text.slugs import slugify, split_values

UPLOADS = "material/uploads"


# A grade typed as a school year: "åk 5", "årskurs 5", "5", "åk F".
SCHOOL_YEAR = re.compile(r"(?:åk|årskurs|ak)?\s*(\d{1,2}|f)", re.I)
# The stages a year falls in when no document names a narrower grade holding it.
BANDS = (("F", 0, 0), ("F-3", 1, 3), ("4-6", 4, 6), ("7-9", 7, 9))


def known_grades(kb: KnowledgeBase) -> set[str]:
    """Return the grade values the documents already carry (the grade facet's values)."""
    return {g for d in kb.indexes.catalog().docs.values() for g in d.grades}


def school_grades(values, known) -> tuple[str, ...]:
    """Return grades with a typed school year ("åk 5") as the facet value holding it ("4-6").

    The narrowest known value holding the year wins; else the stage (F, F-3, 4-6, 7-9).
    Anything else ("gymnasiet", "4-6") is kept as typed.
    """
    out = []
    for value in values:
        match = SCHOOL_YEAR.fullmatch(value.strip())
        year = None if not match else 0 if match.group(1).casefold() == "f" else int(match.group(1))
        if year is None or year > 9:
            out.append(value)
            continue
        spans = {v: grade_span(v) for v in known}
        holding = sorted(
            (v for v, span in spans.items() if span and span[0] <= year <= span[1]),
            key=lambda v: (spans[v][1] - spans[v][0], v),
        )
        band = next(name for name, low, high in BANDS if low <= year <= high)
        out.append(holding[0] if holding else band)
    return tuple(dict.fromkeys(out))


def suggested_title(filename: str, data: bytes) -> str | None:
    """Return the title the file gives itself, for a share form left without one."""
    fmt = format_for(filename or "")
    return title_safely(fmt, data) if fmt and data else None


def _coauthors(kb: KnowledgeBase, viewer: Viewer, ids) -> tuple[str, ...]:
    ids = tuple(i for i in dict.fromkeys(ids or ()) if i and i != viewer.person_id)
    unknown = kb.people.unknown(ids)
    if unknown:
        raise Refused("participants", ", ".join(unknown))
    return ids


def share_material(
    kb: KnowledgeBase, viewer: Viewer, filename: str, data: bytes, meta: dict
) -> str:
    """Store an uploaded file as material through the store; return its source.

    A title left empty is taken from the file itself (its format's `title`: front matter,
    first heading, document properties, HTML <title>); `coauthors` are the other authors.
    """
    if not viewer.person_id:
        raise Refused("author")
    coauthors = _coauthors(kb, viewer, meta.get("coauthors"))
    content = read_upload(filename, data)  # sniffed once, read in a limited child process
    title = (meta.get("title") or "").strip() or content.title
    if not title:
        raise Refused("title")
    if not content.text.strip():
        raise Refused("no_text")
    record = web_record(
        content,
        "material",
        title,
        meta.get("language"),
        date=kb.settings.as_of,
        authors=(viewer.person_id, *coauthors),
        subjects=split_values(meta.get("subjects")),
        grades=school_grades(split_values(meta.get("grades")), known_grades(kb)),
        tags=split_values(meta.get("tags")),
        visibility=visibility(meta.get("visibility")),
    )
    return kb.documents.store.add(record, UPLOADS, slugify(title))


# A file sent with a form that had a mistake waits here, so it need not be chosen again.
KEPT = "kept-uploads"
KEPT_SECONDS = 3600


def keep_upload(kb: KnowledgeBase, viewer: Viewer, filename: str, data: bytes) -> str:
    """Keep an upload on the server for an hour; return the token that names it."""
    folder = kb.settings.instance_path / KEPT
    folder.mkdir(exist_ok=True)
    now = time.time()
    for old in folder.iterdir():
        if now - old.stat().st_mtime > KEPT_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(18)
    head = json.dumps({"person": viewer.person_id, "filename": filename}).encode()
    (folder / token).write_bytes(len(head).to_bytes(4, "big") + head + data)
    return token


def kept_upload(kb: KnowledgeBase, viewer: Viewer, token: str) -> tuple[str, bytes] | None:
    """Return the (filename, data) the viewer kept under a token, or None."""
    if not token or not token.replace("-", "").replace("_", "").isalnum() or len(token) > 40:
        return None
    path = kb.settings.instance_path / KEPT / token
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    size = int.from_bytes(raw[:4], "big")
    head = json.loads(raw[4 : 4 + size])
    if head.get("person") != viewer.person_id:
        return None
    return head.get("filename") or "", raw[4 + size :]


def drop_kept(kb: KnowledgeBase, token: str) -> None:
    """Forget a kept upload (it has been shared)."""
    if token and token.replace("-", "").replace("_", "").isalnum():
        (kb.settings.instance_path / KEPT / token).unlink(missing_ok=True)
