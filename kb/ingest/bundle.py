"""Read a bundle folder into records and problems: its people, then its files (each read
whole in a sandbox child, many side by side: kb.ingest.readers)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.ingest.document import as_date, as_list, opt_str
from kb.ingest.extract import decode_text
from kb.ingest.files import iter_files, odd_file, orphan_sidecars
from kb.ingest.readers import read_documents
from kb.ingest.records import (
    PERSON_FIELDS,
    BundleContents,
    DocumentRecord,
    PersonRecord,
    Problem,
    RequestRecord,
)
from kb.ingest.upkeep import read_requests
from kb.text.frontmatter import load_yaml, yaml_reason

PERSON_KEYS = {"id", "skills", "coordinator", "mentees", *PERSON_FIELDS}
PERSON_ID = re.compile(r"^[a-z0-9._-]+$")


class BundleError(Exception):
    """The bundle as a whole cannot be read (no folder, no people.yaml that parses)."""


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
        email=opt_str(entry.get("email")),
        role=opt_str(entry.get("role")),
        unit=opt_str(entry.get("unit")),
        subjects=as_list(entry.get("subjects"), "subjects", notes),
        grades=as_list(entry.get("grades"), "grades", notes),
        started=as_date(entry.get("started"), "started", notes),
        left=as_date(entry.get("left"), "left", notes),
        mentor=bool(entry.get("mentor", False)),
        mentor_capacity=_capacity(entry.get("mentor_capacity"), notes),
        languages=as_list(entry.get("languages"), "languages", notes),
        skills=_skills(entry.get("skills") or [], notes),
        bio=opt_str(entry.get("bio")),
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


@dataclass
class Survey:
    """A bundle before its documents are read: its people, its files in order, and which of
    them need no reading (odd entries, files unchanged since the last ingest)."""

    root: Path
    people: list[PersonRecord]
    known: set[str]
    order: dict[str, int]  # every document file's source: its place in the bundle
    to_read: list[tuple[str, str]]  # (source, kind) of the files to read, in order
    unchanged: dict[str, str] = field(default_factory=dict)  # {source: kind}
    digests: dict[str, str] = field(default_factory=dict)  # {source: digest} of those to read
    skipped: set[str] = field(default_factory=set)
    people_problems: list[Problem] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)

    def in_order(self, problems: list[Problem]) -> list[Problem]:
        """Return the problems of document files in the bundle's order (each file's own
        problems in the order they were found)."""
        return sorted(problems, key=lambda p: self.order.get(p.source, len(self.order)))


def survey_bundle(root: str | Path, reuse=None) -> Survey:
    """List a bundle's people and files; raise BundleError when it cannot be read at all.

    `reuse(source, path, known people)` -> (digest, problems or None) skips unchanged files.
    """
    root = Path(root)
    if not root.is_dir():
        raise BundleError(f"{root} is not a folder")
    people, people_problems = read_people(root / "people.yaml")
    known = {p.id for p in people}
    files = [(p, "material") for p in iter_files(root, "material")]
    files += [(p, "reflection") for p in iter_files(root, "reflections")]
    survey = Survey(root, people, known, {}, [], people_problems=people_problems)
    for path, kind in files:
        source = path.relative_to(root).as_posix()
        survey.order[source] = len(survey.order)
        odd = odd_file(path)
        if odd:
            survey.file_problems.append(Problem(source, odd))
            survey.skipped.add(source)
            continue
        try:
            digest, kept = reuse(source, path, known) if reuse else (None, None)
        except OSError as exc:
            survey.file_problems.append(Problem(source, f"cannot be read ({exc.strerror})"))
            survey.skipped.add(source)
            continue
        if kept is not None:
            survey.file_problems.extend(kept)
            survey.unchanged[source] = kind
            continue
        survey.to_read.append((source, kind))
        if digest:
            survey.digests[source] = digest
    return survey


def bundle_extras(root: Path, known: set[str]) -> tuple[list[RequestRecord], list[Problem]]:
    """Return the bundle's material requests and the problems of what is not a document
    (orphaned sidecars, requests.yaml)."""
    problems = orphan_sidecars(root)
    requests, found = read_requests(root, known, as_date)
    return requests, problems + found


def read_bundle(root: str | Path, progress=None, reuse=None) -> BundleContents:
    """Read a whole bundle; every file's trouble becomes a Problem, never an exception.

    `reuse(source, path, known people)` -> (digest, problems or None) skips unchanged files;
    the files are read side by side in sandbox children (kb.ingest.readers).
    """
    survey = survey_bundle(root, reuse)
    documents: list[DocumentRecord] = []
    problems = list(survey.file_problems)
    bar = progress(total=len(survey.to_read)) if progress else None
    for batch in read_documents(survey.root, survey.to_read, survey.known):
        for read in batch:
            problems.extend(read.problems)
            if read.record:
                documents.append(read.record)
            else:
                survey.skipped.add(read.source)
        if bar:
            bar.update(len(batch))
    if bar:
        bar.close()
    digests = {r.source: survey.digests[r.source] for r in documents if r.source in survey.digests}
    requests, extra = bundle_extras(survey.root, survey.known)
    return BundleContents(
        requests=tuple(requests),
        problems=tuple(survey.people_problems + survey.in_order(problems) + extra),
        people=tuple(survey.people),
        documents=tuple(documents),
        skipped_sources=frozenset(survey.skipped),
        unchanged=survey.unchanged,
        digests=digests,
    )
