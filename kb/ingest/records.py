"""The small frozen records that flow from a bundle into the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

KINDS = ("material", "reflection")
# The people.yaml keys that are plain fields of a person (besides `id` and `skills`).
PERSON_FIELDS = (
    "name",
    "email",
    "role",
    "unit",
    "subjects",
    "grades",
    "started",
    "left",
    "mentor",
    "mentor_capacity",
    "languages",
    "bio",
)
VISIBILITIES = ("all", "unit", "private")
STEPS = ("analysera", "planera", "genomföra", "följa upp")
SECTIONS = {
    "vad gjorde vi": "did",
    "vad gick bra": "went_well",
    "vad gick mindre bra": "went_less_well",
    "vad tar vi med oss": "take_away",
}
SECTION_HEADINGS = {v: k[0].upper() + k[1:] + "?" for k, v in SECTIONS.items()}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file of a bundle; `refused` means the file was not imported."""

    source: str
    reason: str
    refused: bool = True

    def __str__(self) -> str:
        label = "refused" if self.refused else "warning"
        return f"{label}: {self.source}: {self.reason}"


@dataclass(frozen=True)
class PersonRecord:
    id: str
    name: str
    email: str | None = None
    role: str | None = None
    unit: str | None = None
    subjects: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    started: date | None = None
    left: date | None = None
    mentor: bool = False
    mentor_capacity: int | None = None
    languages: tuple[str, ...] = ()
    skills: tuple[tuple[str, int], ...] = ()
    bio: str | None = None
    # Stored apart from the plain fields: the role (Person.is_coordinator), the running
    # mentorships (the mentorships table).
    coordinator: bool = False
    mentees: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentRecord:
    source: str
    kind: str
    format: str
    title: str
    text: str
    date: date | None = None
    authors: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    language: str | None = None
    language_guessed: bool = False
    visibility: str = "all"
    group: str | None = None
    step: str | None = None
    sections: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    original: bytes | None = None
    filename: str | None = None
    media_type: str | None = None
    origin: str = "bundle"
    # Upkeep (kb/upkeep/freshness.py): not part of the content's fingerprint, so a review
    # marked on the web survives re-ingesting the bundle it came from.
    owners: tuple[str, ...] | None = None
    reviewed: date | None = None
    review_by: date | None = None


UPKEEP_FIELDS = ("owners", "reviewed", "review_by")


@dataclass(frozen=True)
class RequestRecord:
    """One material request of requests.yaml."""

    question: str
    asked_by: str
    asked_on: date
    votes: tuple[str, ...] = ()
    experts: tuple[str, ...] = ()
    answer: str | None = None
    answered_on: date | None = None


@dataclass(frozen=True)
class BundleContents:
    """What could be read from a bundle, and what could not."""

    people: tuple[PersonRecord, ...]
    documents: tuple[DocumentRecord, ...]
    problems: tuple[Problem, ...]
    skipped_sources: frozenset[str] = field(default_factory=frozenset)
    requests: tuple[RequestRecord, ...] = ()
    # Files an earlier ingest stored and that have not changed since ({source: kind}), and the
    # hashes of the files read afresh ({source: digest}); both only when asked to reuse.
    unchanged: dict[str, str] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)


@dataclass
class Tally:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged

    def __str__(self) -> str:
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.missing:
            parts.append(f"{self.missing} no longer in the bundle (kept; --prune removes them)")
        if self.removed:
            parts.append(f"{self.removed} removed")
        return f"{self.total} ({', '.join(parts)})"


@dataclass
class IngestReport:
    people: Tally = field(default_factory=Tally)
    material: Tally = field(default_factory=Tally)
    reflections: Tally = field(default_factory=Tally)
    requests: Tally = field(default_factory=Tally)
    problems: list[Problem] = field(default_factory=list)
    missing_sources: list[str] = field(default_factory=list)
    changed_document_ids: set[int] = field(default_factory=set)
    # Documents indexed by what fits (over the bounded indexing cost), one line each.
    notes: list[str] = field(default_factory=list)
    # Files not read again: stored by an earlier (or a killed) ingest, unchanged since.
    reused: int = 0

    def lines(self) -> list[str]:
        """Render the report as the lines `kb ingest` prints."""
        out = [
            f"people: {self.people}",
            f"material: {self.material}",
            f"reflections: {self.reflections}",
        ]
        if self.requests.total:
            out.append(f"requests: {self.requests}")
        if self.reused:
            out.append(f"not read again: {self.reused} files stored earlier and unchanged")
        for source in self.missing_sources:
            out.append(f"missing: {source}: no longer in the bundle")
        refused = sum(1 for p in self.problems if p.refused)
        out.append(f"problems: {len(self.problems)} ({refused} files refused)")
        out.extend(str(p) for p in self.problems)
        out.extend(f"note: {n}" for n in self.notes)
        return out
