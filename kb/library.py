"""What the pages show and store: search, reflections, documents, people, sharing, expertise.

Every function takes the facade `kb` and the `Viewer` who asks, and returns plain dicts (or a
source); a document the viewer may not open is treated exactly as one that does not exist.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date

from sqlalchemy import select

from kb.ingest.bundle import content_hash, guess_language, split_sections
from kb.ingest.extract import (
    MEDIA_TYPES,
    WINDOWS_RESERVED,
    ExtractionError,
    decode_text,
    format_for,
    identify,
    markdown_to_text,
    strip_front_matter,
    text_media_type,
)
from kb.ingest.records import SECTION_HEADINGS, STEPS, VISIBILITIES, DocumentRecord
from kb.ingest.sandbox import extract_text_safely
from kb.ingest.store import upsert_document
from kb.models import Document, Person
from kb.search.access import Viewer
from kb.search.catalog import Filters
from kb.search.hybrid import SearchRequest

SHOWN_FACETS = ("kind", "subject", "grade", "unit", "group", "step", "language")
SHARE_FORMATS = ("md", "txt", "html", "pdf", "docx")
MAX_UPLOAD = 20 * 1024 * 1024
LEARNED_LIMIT = 12
# A reflection scoring below this share of the best one is noise, not an answer.
LEARNED_RELATIVE = 0.4
# "Vad har vi lärt oss om läsutmaningar?" asks about "läsutmaningar": the rest is the frame.
QUESTION_FRAME = re.compile(
    r"^\s*(vad har (vi|ni|de) lärt (oss|er|sig) om|vad lärde vi oss om|"
    r"what (have|did) we learn(ed)? about)\s+|\s*\?+\s*$",
    re.I,
)
RELATED_LIMIT = 4


EXTRACTION_REASONS = (
    "mismatch",
    "damaged",
    "too_large",
    "bomb",
    "timeout",
    "memory",
    "encrypted",
    "busy",
    "unavailable",
)


class Refused(ValueError):
    """Something a colleague sent that kb will not store; `code` says why, `detail` adds facts."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


# ---------------------------------------------------------------- helpers
def person_names(kb, ids) -> dict[str, str]:
    """Return the display names of these person ids (the id itself when unknown)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    with kb.sessions() as session:
        found = dict(
            session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all()
        )
    return {pid: found.get(pid, pid) for pid in ids}


def people_refs(kb, ids) -> list[dict]:
    """Return [{id, name}] for person ids, in order."""
    names = person_names(kb, ids)
    return [{"id": pid, "name": names[pid]} for pid in dict.fromkeys(ids)]


def slugify(text: str, fallback: str = "dokument", max_len: int = 60) -> str:
    """Turn a title into a lowercase ASCII slug safe in a path."""
    # Drop the accents (å -> a); anything else that is not a-z or 0-9 separates words.
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    slug = slug[:max_len].rstrip("-")
    return slug or fallback


def render_markdown(text: str) -> str:
    """Render Markdown to clean HTML: raw HTML is never passed through, headings start at h2."""
    import nh3
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(text or "")
    for token in tokens:
        # The page title is the only h1; the document's own headings sit below it.
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    html = md.renderer.render(tokens, md.options, {})
    return nh3.clean(
        html, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow"
    )


def paragraphs(text: str) -> list[str]:
    """Split plain text into paragraphs at blank lines."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _doc_brief(info, names: dict[str, str]) -> dict:
    return {
        "source": info.source,
        "title": info.title,
        "kind": info.kind,
        "date": info.date,
        "language": info.language,
        "group": info.group,
        "step": info.step,
        "authors": [{"id": a, "name": names.get(a, a)} for a in info.authors],
    }


# ---------------------------------------------------------------- search
def search_page(
    kb,
    viewer: Viewer,
    text: str,
    filters: Filters,
    offset: int = 0,
    limit: int = 10,
    method: str | None = None,
) -> dict:
    """Search for a colleague; each hit comes with its authors, date and language."""
    text = (text or "").strip()
    page = {
        "query": text,
        "hits": [],
        "total": 0,
        "facets": {},
        "offset": offset,
        "limit": limit,
        "learned": False,
    }
    if not text:
        return page
    result = kb.search(
        SearchRequest(
            text=text,
            viewer=viewer,
            filters=filters,
            limit=limit,
            offset=offset,
            method=method or kb.settings.fusion_method,
        )
    )
    catalog = kb.catalog()
    infos = [catalog.docs[h.doc_id] for h in result.hits if h.doc_id in catalog.docs]
    names = person_names(kb, [a for info in infos for a in info.authors])
    hits = []
    for hit in result.hits:
        info = catalog.docs.get(hit.doc_id)
        brief = _doc_brief(info, names) if info else {"authors": []}
        # The snippet arrives HTML-escaped with only <mark> added (hybrid.snippet).
        hits.append(
            {
                **brief,
                "source": hit.source,
                "title": hit.title,
                "kind": hit.kind,
                "score": hit.score,
                "snippet": hit.snippet,
            }
        )
    page.update(
        hits=hits,
        total=result.total,
        learned=result.learned,
        facets={f: result.facets.get(f, {}) for f in SHOWN_FACETS if result.facets.get(f)},
    )
    return page


# ---------------------------------------------------------------- what have we learned
def _related_material(material: list, reflection, text: str) -> list[dict]:
    """Material a reflection mentions by source or title, or by the same authors on its tags."""
    lowered = text.casefold()
    tags = {t.casefold() for t in reflection.tags}
    authors = set(reflection.authors)
    mentioned, shared = [], []
    for info in material:
        stem = info.source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if (
            info.source.casefold() in lowered
            or info.title.casefold() in lowered
            or (len(stem) > 8 and stem.casefold() in lowered)
        ):
            mentioned.append(info)
        elif authors & set(info.authors) and tags & {t.casefold() for t in info.tags}:
            shared.append(info)
    ordered = mentioned + sorted(
        shared, key=lambda i: (-len(tags & {t.casefold() for t in i.tags}), i.title)
    )
    return [
        {
            "source": i.source,
            "title": i.title,
            "language": i.language,
            "why": "mentioned" if i in mentioned else "authors",
        }
        for i in ordered[:RELATED_LIMIT]
    ]


def learned(kb, viewer: Viewer, question: str, limit: int = LEARNED_LIMIT) -> dict:
    """Return the reflections on a question, grouped by learning group and ordered in time."""
    question = (question or "").strip()
    topic = QUESTION_FRAME.sub("", question).strip() or question
    catalog = kb.catalog()
    if question:
        result = kb.search(
            SearchRequest(
                text=topic,
                viewer=viewer,
                filters=Filters(kind="reflection"),
                limit=limit,
                method=kb.settings.fusion_method,
            )
        )
        best = result.hits[0].score if result.hits else 0.0
        ids = [
            h.doc_id
            for h in result.hits
            if h.doc_id in catalog.docs and h.score >= best * LEARNED_RELATIVE
        ]
    else:
        ids = sorted(
            catalog.visible(viewer, Filters(kind="reflection")),
            key=lambda d: catalog.docs[d].date or date.min,
            reverse=True,
        )
    material = [catalog.docs[d] for d in catalog.visible(viewer, Filters(kind="material"))]
    rows = {}
    if ids:
        with kb.sessions() as session:
            for doc in session.scalars(select(Document).where(Document.id.in_(ids))):
                rows[doc.id] = {"take_away": doc.take_away, "text": doc.text or ""}
    names = person_names(kb, [a for d in ids for a in catalog.docs[d].authors])
    groups: dict[str, dict] = {}
    for rank, doc_id in enumerate(ids):
        info = catalog.docs[doc_id]
        row = rows.get(doc_id, {"take_away": None, "text": ""})
        key = info.group or ""
        group = groups.setdefault(key, {"name": info.group, "rank": rank, "meetings": []})
        group["meetings"].append(
            {
                **_doc_brief(info, names),
                "take_away_html": render_markdown(row["take_away"]) if row["take_away"] else "",
                "material": _related_material(material, info, row["text"]),
            }
        )
    ordered = sorted(groups.values(), key=lambda g: g["rank"])
    for group in ordered:
        group["meetings"].sort(key=lambda m: (m["date"] or date.min, m["title"]))
        del group["rank"]
    return {"question": question, "groups": ordered, "count": len(ids)}


# ---------------------------------------------------------------- documents
def _readable(kb, session, viewer: Viewer, source: str) -> Document | None:
    """Return the document row if it exists and the viewer may open it, else None."""
    if not kb.catalog().may_open(viewer, source):
        return None
    return session.scalar(select(Document).where(Document.source == source))


def document(kb, viewer: Viewer, source: str) -> dict | None:
    """Return a document for its page, or None when it is missing or not the viewer's to open."""
    with kb.sessions() as session:
        doc = _readable(kb, session, viewer, source)
        if doc is None:
            return None
        authors = [
            {
                "id": a.person_id,
                "name": a.person.name if a.person else a.person_id,
                "has_profile": bool(a.person and a.person.has_profile),
            }
            for a in doc.authors
        ]
        original = doc.original
        page = {
            "source": doc.source,
            "title": doc.title,
            "kind": doc.kind,
            "format": doc.format,
            "date": doc.date,
            "subjects": list(doc.subjects or ()),
            "grades": list(doc.grades or ()),
            "tags": list(doc.tags or ()),
            "language": doc.language,
            "visibility": doc.visibility,
            "group": doc.group,
            "step": doc.step,
            "authors": authors,
            "html": render_markdown(doc.body)
            if doc.format == "md" and doc.body is not None
            else "",
            "paragraphs": []
            if doc.format == "md" and doc.body is not None
            else paragraphs(doc.text),
            "download": {
                "filename": original.filename if original else _text_name(doc),
                "size": len(original.data)
                if original
                else len((doc.body if doc.body is not None else doc.text).encode()),
                "format": doc.format,
            },
        }
    return page


def _text_name(doc: Document) -> str:
    name = doc.source.rsplit("/", 1)[-1]
    return name if "." in name else f"{name}.{'md' if doc.format == 'md' else 'txt'}"


def download(kb, viewer: Viewer, source: str) -> dict | None:
    """Return the file to download for a document (its original, else its text), or None."""
    with kb.sessions() as session:
        doc = _readable(kb, session, viewer, source)
        if doc is None:
            return None
        if doc.original is not None:
            return {
                "filename": doc.original.filename,
                "media_type": text_media_type(doc.original.media_type, doc.original.data),
                "data": doc.original.data,
            }
        if doc.format == "md" and doc.body is not None:
            return {
                "filename": _text_name(doc),
                "media_type": MEDIA_TYPES["md"],
                "data": doc.body.encode("utf-8"),
            }
        return {
            "filename": _text_name(doc),
            "media_type": MEDIA_TYPES["txt"],
            "data": (doc.text or "").encode("utf-8"),
        }


# ---------------------------------------------------------------- people
def directory(kb, viewer: Viewer) -> dict:
    """Return every colleague with a profile, grouped by unit."""
    with kb.sessions() as session:
        people = session.scalars(
            select(Person).where(Person.has_profile).order_by(Person.unit, Person.name)
        ).all()
        units: dict[str, list[dict]] = {}
        for p in people:
            units.setdefault(p.unit or "", []).append(
                {
                    "id": p.id,
                    "name": p.name,
                    "role": p.role,
                    "subjects": list(p.subjects or ()),
                    "grades": list(p.grades or ()),
                    "mentor": bool(p.mentor),
                }
            )
    return {
        "units": [{"name": u or None, "people": ps} for u, ps in units.items()],
        "count": sum(len(ps) for ps in units.values()),
    }


def profile(kb, viewer: Viewer, person_id: str) -> dict | None:
    """Return a colleague's profile with the evidence the viewer may see, or None."""
    with kb.sessions() as session:
        person = session.get(Person, person_id)
        if person is None:
            return None
        page = {
            "id": person.id,
            "name": person.name,
            "email": person.email,
            "role": person.role,
            "unit": person.unit,
            "subjects": list(person.subjects or ()),
            "grades": list(person.grades or ()),
            "languages": list(person.languages or ()),
            "started": person.started,
            "mentor": bool(person.mentor),
            "mentor_capacity": person.mentor_capacity,
            "bio": person.bio,
            "has_profile": bool(person.has_profile),
            "skills": [{"name": s.name, "level": s.level} for s in person.skills],
        }
    catalog = kb.catalog()
    ids = sorted(
        catalog.visible(viewer, Filters(author=person_id)),
        key=lambda d: catalog.docs[d].date or date.min,
        reverse=True,
    )
    infos = [catalog.docs[d] for d in ids]
    names = person_names(kb, [a for i in infos for a in i.authors])
    groups: dict[str, int] = {}
    for info in infos:
        if info.kind == "reflection" and info.group:
            groups[info.group] = groups.get(info.group, 0) + 1
    page.update(
        material=[_doc_brief(i, names) for i in infos if i.kind == "material"],
        reflections=[_doc_brief(i, names) for i in infos if i.kind == "reflection"],
        groups=[
            {"name": g, "meetings": n}
            for g, n in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        can_edit=viewer.person_id == person_id,
    )
    return page


# ---------------------------------------------------------------- sharing
def _actual_format(data: bytes) -> str:
    """Tell what a file is from its bytes: pdf, docx, zip, xlsx, png, ..., binary or text."""
    return identify(data)  # bounded: a zip's directory is checked before it is read


def check_upload(filename: str, data: bytes) -> str:
    """Return the kb format of an upload, checked against its content; raise Refused."""
    fmt = format_for(filename or "")
    if fmt is None or fmt not in SHARE_FORMATS:
        raise Refused(
            "type", (filename or "").rsplit(".", 1)[-1] if "." in (filename or "") else ""
        )
    if not data:
        raise Refused("empty")
    if len(data) > MAX_UPLOAD:
        raise Refused("too_large")
    actual = _actual_format(data)
    if not (fmt == actual or (fmt in ("md", "txt", "html") and actual == "text")):
        raise Refused("mismatch", f"{fmt}/{actual}")
    return fmt


def _unique_source(session, folder: str, slug: str, ext: str) -> str:
    taken = set(
        session.scalars(select(Document.source).where(Document.source.like(f"{folder}/{slug}%")))
    )
    source, n = f"{folder}/{slug}.{ext}", 2
    while source in taken:
        source, n = f"{folder}/{slug}-{n}.{ext}", n + 1
    return source


def _language(value: str | None, text: str) -> tuple[str, bool]:
    value = (value or "").strip().lower()
    if value:
        return value[:20], False
    return guess_language(text), True


def _visibility(value: str | None) -> str:
    value = (value or "all").strip().lower()
    if value not in VISIBILITIES:
        raise Refused("visibility", value)
    return value


def split_values(value) -> tuple[str, ...]:
    """Read a comma-separated string (or a list) as distinct, trimmed values."""
    items = value if isinstance(value, list | tuple) else re.split(r"[,;\n]", value or "")
    return tuple(dict.fromkeys(s.strip() for s in items if s and s.strip()))


def share_material(kb, viewer: Viewer, filename: str, data: bytes, meta: dict) -> str:
    """Store an uploaded file as material and index it at once; return its source."""
    if not viewer.person_id:
        raise Refused("author")
    title = (meta.get("title") or "").strip()
    if not title:
        raise Refused("title")
    fmt = check_upload(filename, data)
    body = None
    try:
        # In a limited child process: a hostile file fails there, not in the server.
        text = extract_text_safely(fmt, data)
        if fmt == "md":
            # The metadata comes from the form: drop front matter without parsing its YAML.
            body = strip_front_matter(decode_text(data))
    except ExtractionError as exc:
        # The reason picks a message in the page's language; the English detail stays beside it.
        raise Refused(
            exc.reason if exc.reason in EXTRACTION_REASONS else "unreadable", str(exc)
        ) from exc
    if not text.strip():
        raise Refused("no_text")
    language, guessed = _language(meta.get("language"), text)
    record_meta = {
        "title": title,
        "subjects": split_values(meta.get("subjects")),
        "grades": split_values(meta.get("grades")),
        "tags": split_values(meta.get("tags")),
        "language": language,
        "visibility": _visibility(meta.get("visibility")),
    }
    with kb.session() as session:
        slug = slugify(title)
        if WINDOWS_RESERVED.match(slug):  # "con.pdf" cannot exist in an export on Windows
            slug = f"{slug}-dokument"
        source = _unique_source(session, "material/uploads", slug, fmt)
        record = DocumentRecord(
            origin="web",
            source=source,
            kind="material",
            format=fmt,
            title=title,
            content_hash=content_hash(data, json.dumps(record_meta, sort_keys=True).encode()),
            text=text,
            date=kb.settings.as_of,
            authors=(viewer.person_id,),
            subjects=record_meta["subjects"],
            grades=record_meta["grades"],
            tags=record_meta["tags"],
            language=language,
            language_guessed=guessed,
            visibility=record_meta["visibility"],
            body=body,
            original=None if fmt == "md" else data,
            filename=source.rsplit("/", 1)[-1],
            media_type=MEDIA_TYPES[fmt],
        )
        upsert_document(session, record)
    kb.documents_changed()
    return source


# ---------------------------------------------------------------- reflections
def reflection_choices(kb, viewer: Viewer) -> dict:
    """Return the colleagues and the learning groups a reflection form offers."""
    with kb.sessions() as session:
        people = [
            {"id": pid, "name": name}
            for pid, name in session.execute(
                select(Person.id, Person.name).where(Person.has_profile).order_by(Person.name)
            )
        ]
    catalog = kb.catalog()
    groups = sorted(
        {
            catalog.docs[d].group
            for d in catalog.visible(viewer, Filters(kind="reflection"))
            if catalog.docs[d].group
        }
    )
    return {"people": people, "groups": groups, "steps": list(STEPS)}


def reflection_markdown(sections: dict[str, str]) -> str:
    """Write the four questions as `## ` headings with their answers below."""
    parts = []
    for field, heading in SECTION_HEADINGS.items():
        answer = (sections.get(field) or "").strip()
        if answer:
            parts.append(f"## {heading}\n{answer}\n")
    return "\n".join(parts)


def write_reflection(
    kb,
    viewer: Viewer,
    *,
    group: str,
    when: date,
    step: str,
    participants: list[str],
    title: str,
    tags,
    visibility: str,
    did: str = "",
    went_well: str = "",
    went_less_well: str = "",
    take_away: str = "",
    language: str | None = "sv",
) -> str:
    """Store a reflection written by the viewer with the participants; return its source."""
    if not viewer.person_id:
        raise Refused("author")
    title, group, step = (title or "").strip(), (group or "").strip(), (step or "").strip()
    if not title:
        raise Refused("title")
    if step not in STEPS:
        raise Refused("step", step)
    sections = {
        "did": did,
        "went_well": went_well,
        "went_less_well": went_less_well,
        "take_away": take_away,
    }
    body = reflection_markdown(sections)
    if not body:
        raise Refused("empty")
    authors = tuple(dict.fromkeys([viewer.person_id, *participants]))
    visibility = _visibility(visibility)
    text = markdown_to_text(body)
    language, guessed = _language(language, text)
    with kb.session() as session:
        known = set(session.scalars(select(Person.id).where(Person.id.in_(authors))))
        unknown = [a for a in authors if a not in known]
        if unknown:
            raise Refused("participants", ", ".join(unknown))
        source = _unique_source(
            session, "reflections", f"{when.isoformat()}-{slugify(group or title)}", "md"
        )
        meta = {
            "title": title,
            "group": group,
            "step": step,
            "tags": split_values(tags),
            "authors": authors,
            "date": when.isoformat(),
            "visibility": visibility,
        }
        record = DocumentRecord(
            origin="web",
            source=source,
            kind="reflection",
            format="md",
            title=title,
            content_hash=content_hash(body.encode(), json.dumps(meta, sort_keys=True).encode()),
            text=text,
            date=when,
            authors=authors,
            tags=meta["tags"],
            language=language,
            language_guessed=guessed,
            visibility=visibility,
            group=group or None,
            step=step,
            sections=tuple(split_sections(body).items()),
            body=body,
        )
        upsert_document(session, record)
    kb.documents_changed()
    return source
