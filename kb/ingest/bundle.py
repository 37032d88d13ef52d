"""Read a bundle folder into records and problems, one file at a time."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import yaml

from kb.ingest.extract import ExtractionError, check_file, decode_text
from kb.ingest.files import iter_files, odd_file, orphan_sidecars
from kb.ingest.formats import format_for
from kb.ingest.pipeline import read_file, record
from kb.ingest.records import (
    PERSON_FIELDS,
    SECTIONS,
    STEPS,
    VISIBILITIES,
    BundleContents,
    DocumentRecord,
    PersonRecord,
    Problem,
)
from kb.ingest.upkeep import read_requests, read_upkeep
from kb.text.frontmatter import load_yaml, split_front_matter, yaml_reason
from kb.text.language import guess_language

PERSON_KEYS = {"id", "skills", "coordinator", "mentees", *PERSON_FIELDS}
DOCUMENT_KEYS = {"title", "authors", "date", "subjects", "grades", "tags", "language", "visibility"}
DOCUMENT_KEYS |= {"owners", "reviewed", "review_by"}
REFLECTION_KEYS = DOCUMENT_KEYS | {"group", "step"}
PERSON_ID = re.compile(r"^[a-z0-9._-]+$")


class BundleError(Exception):
    """The bundle as a whole cannot be read (no folder, no people.yaml that parses)."""


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


def read_people(path: Path) -> tuple[list[PersonRecord], list[Problem]]:
    """Read people.yaml; raise BundleError when it is missing or does not parse."""
    if not path.exists():
        raise BundleError("people.yaml is missing")
    try:
        data = load_yaml(decode_text(path.read_bytes()), limit=50 * 1024 * 1024)
    except yaml.YAMLError as exc:
        raise BundleError(f"people.yaml does not parse ({yaml_reason(exc)})") from exc
    if data is None:
        data = []
    if not isinstance(data, list):
        raise BundleError("people.yaml is not a list of people")
    people: list[PersonRecord] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, entry in enumerate(data, start=1):
        record, problem = read_person(entry, index, seen)
        if record is not None:
            seen.add(record.id)
            people.append(record)
        if problem is not None:
            problems.append(problem)
    return people, problems


def read_person(entry, index: int, seen: set[str]) -> tuple[PersonRecord | None, Problem | None]:
    """Read one people.yaml entry into a record, with the problem it has (if any)."""
    where = f"people.yaml (entry {index})"
    if not isinstance(entry, dict):
        return None, Problem("people.yaml", f"entry {index} is not a mapping; skipped")
    pid = str(entry.get("id") or "").strip()
    if pid:
        where = f"people.yaml ({pid})"
    errors: list[str] = []
    notes: list[str] = []
    if not pid:
        errors.append("required field 'id' is missing")
    elif not PERSON_ID.match(pid):
        errors.append(f"id {pid!r} may only use a-z, 0-9, '.', '_' and '-'")
    elif pid in seen:
        errors.append(f"id {pid!r} appears twice")
    name = entry.get("name")
    if not name or not str(name).strip():
        errors.append("required field 'name' is missing")
    unknown = sorted(set(map(str, entry)) - PERSON_KEYS)
    notes.extend(f"unknown key '{k}'" for k in unknown)
    if errors:
        return None, Problem(where, "; ".join(errors + notes) + "; not imported")
    record = PersonRecord(
        id=pid,
        name=str(name).strip(),
        email=_opt_str(entry.get("email")),
        role=_opt_str(entry.get("role")),
        unit=_opt_str(entry.get("unit")),
        subjects=as_list(entry.get("subjects"), "subjects", notes),
        grades=as_list(entry.get("grades"), "grades", notes),
        started=as_date(entry.get("started"), "started", notes),
        left=as_date(entry.get("left"), "left", notes),
        mentor=bool(entry.get("mentor", False)),
        mentor_capacity=_capacity(entry.get("mentor_capacity"), notes),
        languages=as_list(entry.get("languages"), "languages", notes),
        skills=_skills(entry.get("skills") or [], notes),
        bio=_opt_str(entry.get("bio")),
        coordinator=entry.get("coordinator") is True,
        mentees=_mentees(entry.get("mentees"), pid, notes),
    )
    return record, Problem(where, "; ".join(notes), refused=False) if notes else None


def _skills(entries, notes: list[str]) -> tuple[tuple[str, int], ...]:
    skills: list[tuple[str, int]] = []
    for skill in entries:
        if isinstance(skill, str):
            skills.append((skill, 3))
        elif isinstance(skill, dict) and skill.get("name"):
            level = skill.get("level", 3)
            try:
                level = min(5, max(1, int(level)))
            except (TypeError, ValueError):
                notes.append(f"skill {skill.get('name')!r} has level {level!r}; 3 used")
                level = 3
            skills.append((str(skill["name"]).strip(), level))
        else:
            notes.append(f"skill {skill!r} has no name; ignored")
    return tuple(skills)


def _mentees(value, mentor: str, notes: list[str]) -> tuple[str, ...]:
    """Read the ids of the newcomers someone already mentors."""
    out = []
    for mentee in as_list(value, "mentees", notes):
        mentee = mentee.strip()
        if not PERSON_ID.match(mentee) or mentee == mentor:
            notes.append(f"mentee {mentee!r} is not another person's id; ignored")
        elif mentee not in out:
            out.append(mentee)
    return tuple(out)


def _capacity(capacity, notes: list[str]) -> int | None:
    if capacity is None:
        return None
    try:
        return max(0, int(capacity))
    except (TypeError, ValueError):
        notes.append(f"mentor_capacity {capacity!r} is not a number; ignored")
        return None


def _opt_str(value) -> str | None:
    return str(value).strip() if value is not None and str(value).strip() else None


def read_document(
    root: Path, path: Path, kind: str, known_people: set[str]
) -> tuple[DocumentRecord | None, list[Problem]]:
    """Read one material or reflection file (with its sidecar) into a record."""
    source = path.relative_to(root).as_posix()
    fmt = format_for(path.name)
    refusal = _refusal(root, path, fmt, kind)
    if refusal:
        return None, [Problem(source, refusal)]
    data = path.read_bytes()
    notes: list[str] = []
    try:
        meta, content = _read_content(path, fmt, data, notes)
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
    language = _opt_str(meta.get("language"))
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
        group=_opt_str(meta.get("group")),
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


def _read_content(path: Path, fmt: str, data: bytes, notes: list[str]):
    """Return a file's metadata (front matter or sidecar) and its content (kb.ingest.pipeline:
    sniffed once, read in a limited child process)."""
    if fmt == "md":
        meta, _ = split_front_matter(decode_text(data))  # a broken one is refused here
        return meta, read_file(fmt, data)
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
    return meta, read_file(fmt, data)


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
    step = _opt_str(meta.get("step"))
    if step and step.lower() not in STEPS:
        notes.append(f"step {step!r} is not one of {', '.join(STEPS)}; kept as written")
    return step


def _title(meta: dict, body: str | None, path: Path, notes: list[str]) -> str:
    title = _opt_str(meta.get("title"))
    if not title:
        heading = re.search(r"^#\s+(.+)$", body or "", re.M)
        title = heading.group(1).strip() if heading else path.stem.replace("-", " ")
        notes.append("no title; used " + ("the first heading" if heading else "the file name"))
    return title


def read_bundle(root: str | Path, progress=None, reuse=None) -> BundleContents:
    """Read a whole bundle; every file's trouble becomes a Problem, never an exception.

    `reuse(source, path, known people)` -> (digest, problems or None) skips unchanged files.
    """
    root = Path(root)
    if not root.is_dir():
        raise BundleError(f"{root} is not a folder")
    people, problems = read_people(root / "people.yaml")
    known = {p.id for p in people}
    files = [(p, "material") for p in iter_files(root, "material")]
    files += [(p, "reflection") for p in iter_files(root, "reflections")]
    documents: list[DocumentRecord] = []
    skipped: set[str] = set()
    unchanged, digests = {}, {}
    for path, kind in progress(files) if progress else files:
        source = path.relative_to(root).as_posix()
        odd = odd_file(path)
        if odd:
            problems.append(Problem(source, odd))
            skipped.add(source)
            continue
        try:
            digest, kept = reuse(source, path, known) if reuse else (None, None)
            if kept is not None:
                problems.extend(kept)
                unchanged[source] = kind
                continue
            record, found = read_document(root, path, kind, known)
        except OSError as exc:
            record, found = None, [Problem(source, f"cannot be read ({exc.strerror})")]
        problems.extend(found)
        if record:
            documents.append(record)
            if digest:
                digests[source] = digest
        else:
            skipped.add(source)
    problems += orphan_sidecars(root)
    requests, found = read_requests(root, known, as_date)
    return BundleContents(
        requests=tuple(requests),
        problems=tuple(problems + found),
        people=tuple(people),
        documents=tuple(documents),
        skipped_sources=frozenset(skipped),
        unchanged=unchanged,
        digests=digests,
    )
