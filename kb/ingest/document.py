"""One document file of a bundle, with its front matter or sidecar, read into a record."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import yaml

from kb.ingest.extract import ExtractionError, check_file, decode_text
from kb.ingest.formats import format_for
from kb.ingest.pipeline import read_file, record
from kb.ingest.records import SECTIONS, STEPS, VISIBILITIES, DocumentRecord, Problem
from kb.ingest.upkeep import read_upkeep
from kb.text.frontmatter import load_yaml, split_front_matter, yaml_reason
from kb.text.language import guess_language

DOCUMENT_KEYS = {"title", "authors", "date", "subjects", "grades", "tags", "language", "visibility"}
DOCUMENT_KEYS |= {"owners", "reviewed", "review_by"}
REFLECTION_KEYS = DOCUMENT_KEYS | {"group", "step"}


def as_list(value, key: str, notes: list[str]) -> tuple[str, ...]:
    """Read a list of strings, accepting a single string as a one-item list."""
    if value is None:
        return ()
    if isinstance(value, str | int | float):
        return (str(value),)
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None and str(v).strip())
    notes.append(f"'{key}' should be a list; ignored")
    return ()


def as_date(value, key: str, notes: list[str]) -> date | None:
    """Read a YAML date or an ISO date string."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        notes.append(f"'{key}' is not a date (YYYY-MM-DD): {value!r}; ignored")
        return None


def split_sections(body: str) -> dict[str, str]:
    """Return the four reflection sections found under their `## ` headings."""
    found: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in body.splitlines():
        heading = re.match(r"^#{2,3}\s+(.*?)\s*$", line)
        if heading:
            if current:
                found[current] = "\n".join(lines).strip()
            key = heading.group(1).strip().rstrip("?").strip().lower()
            current = SECTIONS.get(key)
            lines = []
        elif current:
            lines.append(line)
    if current:
        found[current] = "\n".join(lines).strip()
    return found


def opt_str(value) -> str | None:
    return str(value).strip() if value is not None and str(value).strip() else None


def read_document(
    root: Path, path: Path, kind: str, known_people: set[str], here: bool = False
) -> tuple[DocumentRecord | None, list[Problem]]:
    """Read one material or reflection file (with its sidecar) into a record (here: in this
    process, a sandbox child; kb.ingest.readers)."""
    source = path.relative_to(root).as_posix()
    fmt = format_for(path.name)
    refusal = _refusal(root, path, fmt, kind)
    if refusal:
        return None, [Problem(source, refusal)]
    data = path.read_bytes()
    notes: list[str] = []
    try:
        meta, content = _read_content(path, fmt, data, notes, here)
    except (ExtractionError, ValueError) as exc:
        return None, [Problem(source, str(exc))]
    _check_keys(meta, kind, notes)
    visibility = str(meta.get("visibility") or "all").strip().lower()
    if visibility not in VISIBILITIES:
        # Refusing is the safe choice: guessing "all" could show a private draft to everyone.
        return None, [
            Problem(
                source, f"visibility {visibility!r} is not one of all, unit, private; not imported"
            )
        ]
    body = content.body
    title = _title(meta, body, path, notes)
    authors = _authors(meta, known_people, notes)
    step = _step(meta, notes)
    language = opt_str(meta.get("language"))
    guessed = language is None
    language = language or guess_language(content.text)
    sections = split_sections(body) if kind == "reflection" and body else {}
    if not content.text.strip():
        notes.append("no text could be extracted; only the metadata is searchable")
    found = record(
        content,
        source=source,
        kind=kind,
        title=title,
        date=as_date(meta.get("date"), "date", notes),
        authors=tuple(dict.fromkeys(authors)),
        subjects=as_list(meta.get("subjects"), "subjects", notes),
        grades=as_list(meta.get("grades"), "grades", notes),
        tags=as_list(meta.get("tags"), "tags", notes),
        language=language,
        language_guessed=guessed,
        visibility=visibility,
        group=opt_str(meta.get("group")),
        step=step,
        sections=tuple(sections.items()),
        filename=path.name,
        **read_upkeep(meta, known_people, notes, as_date),
    )
    problems = [Problem(source, "; ".join(notes), refused=False)] if notes else []
    return found, problems


def _refusal(root: Path, path: Path, fmt: str | None, kind: str) -> str | None:
    """Say why a file is not read at all, before a byte of it is read; None when it is."""
    if fmt is None:
        return f"kb cannot read '{path.suffix}' files; skipped"
    if kind == "reflection" and fmt != "md":
        return "reflections must be Markdown (.md) files; skipped"
    try:
        check_file(path, root)  # size, and no link out of the bundle, before reading a byte
    except ExtractionError as exc:
        return str(exc)
    return None


def _read_content(path: Path, fmt: str, data: bytes, notes: list[str], here: bool = False):
    """Return a file's metadata (front matter or sidecar) and its content (kb.ingest.pipeline:
    sniffed once, read in a limited child process)."""
    if fmt == "md":
        meta, _ = split_front_matter(decode_text(data))  # a broken one is refused here
        return meta, read_file(fmt, data, here)
    sidecar = path.with_name(path.name + ".yaml")
    meta = {}
    if sidecar.exists():
        try:
            meta = load_yaml(decode_text(sidecar.read_bytes())) or {}
        except yaml.YAMLError as exc:
            raise ValueError(
                f"its sidecar {sidecar.name} is not valid YAML ({yaml_reason(exc)})"
            ) from exc
        if not isinstance(meta, dict):
            raise ValueError(f"its sidecar {sidecar.name} is not a set of key: value lines")
    else:
        notes.append(f"no sidecar {path.name}.yaml; title taken from the file name")
    return meta, read_file(fmt, data, here)


def _check_keys(meta: dict, kind: str, notes: list[str]) -> None:
    allowed = {"material": set(DOCUMENT_KEYS), "reflection": set(REFLECTION_KEYS)}[kind]
    if kind == "material":
        allowed |= {"group", "step"}  # harmless on material; kept rather than reported
    unknown = sorted(set(map(str, meta)) - allowed)
    notes.extend(f"unknown key '{k}' ignored" for k in unknown)


def _authors(meta: dict, known_people: set[str], notes: list[str]) -> tuple[str, ...]:
    authors = as_list(meta.get("authors"), "authors", notes)
    for author in authors:
        if author not in known_people:
            notes.append(
                f"author id '{author}' is not in people.yaml; created as a person without a profile"
            )
    return authors


def _step(meta: dict, notes: list[str]) -> str | None:
    step = opt_str(meta.get("step"))
    if step and step.lower() not in STEPS:
        notes.append(f"step {step!r} is not one of {', '.join(STEPS)}; kept as written")
    return step


def _title(meta: dict, body: str | None, path: Path, notes: list[str]) -> str:
    title = opt_str(meta.get("title"))
    if not title:
        heading = re.search(r"^#\s+(.+)$", body or "", re.M)
        title = heading.group(1).strip() if heading else path.stem.replace("-", " ")
        notes.append("no title; used " + ("the first heading" if heading else "the file name"))
    return title
