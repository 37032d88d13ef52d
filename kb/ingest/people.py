"""People rows from a bundle's people.yaml: profiles, skills, running mentorships."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.ingest.records import PERSON_FIELDS, IngestReport, PersonRecord, Problem
from kb.models import Authorship, Document, Mentorship, Person, Skill


def _person_values(record: PersonRecord) -> dict:
    values = {f: getattr(record, f) for f in PERSON_FIELDS}
    for f in ("subjects", "grades", "languages"):
        values[f] = list(values[f])
    return values


def entry_hash(record: PersonRecord) -> str:
    """Hash a people.yaml entry as read, to tell later whether the bundle changed it."""
    return hashlib.sha256(repr(record).encode("utf-8")).hexdigest()


def upsert_person(session: Session, record: PersonRecord) -> str:
    """Create or update one person; return 'added', 'updated' or 'unchanged'.

    An entry the bundle has not changed since the last ingest leaves the person alone, so what
    a colleague edited on the web survives re-ingesting the same bundle.
    """
    person = session.get(Person, record.id)
    values = _person_values(record)
    skills = [(name, level) for name, level in record.skills]
    digest = entry_hash(record)
    if person is None:
        person = Person(
            id=record.id,
            has_profile=True,
            bundle_hash=digest,
            is_coordinator=record.coordinator,
            **values,
        )
        person.skills = [Skill(name=n, level=lv, position=i) for i, (n, lv) in enumerate(skills)]
        session.add(person)
        return "added"
    if person.has_profile and person.bundle_hash == digest:
        return "unchanged"
    person.bundle_hash = digest
    current = {f: getattr(person, f) for f in PERSON_FIELDS}
    current_skills = [(s.name, s.level) for s in person.skills]
    same_role = bool(person.is_coordinator) == record.coordinator
    same_mentees = sorted(mentees_of(session, person.id)) == sorted(record.mentees)
    same_profile = current == values and current_skills == skills and person.has_profile
    if same_profile and same_role and same_mentees:
        return "unchanged"
    if person.unit != record.unit:
        touch_documents_of(session, person.id)
    for key, value in values.items():
        setattr(person, key, value)
    person.has_profile = True
    person.is_coordinator = record.coordinator
    if current_skills != skills:
        person.skills = [Skill(name=n, level=lv, position=i) for i, (n, lv) in enumerate(skills)]
    return "updated"


def mentees_of(session: Session, mentor_id: str) -> list[str]:
    """Return the ids of the newcomers someone mentors now."""
    return list(
        session.scalars(select(Mentorship.mentee_id).where(Mentorship.mentor_id == mentor_id))
    )


def set_mentees(session: Session, record: PersonRecord, report: IngestReport) -> None:
    """Make the mentorships of a people.yaml entry the running ones; unknown ids are reported."""
    wanted = []
    for mentee in record.mentees:
        person = session.get(Person, mentee)
        if person is None or not person.has_profile:
            report.problems.append(
                Problem(
                    f"people.yaml ({record.id})",
                    f"mentee {mentee!r} is not in people.yaml; ignored",
                    refused=False,
                )
            )
        else:
            wanted.append(mentee)
    rows = session.scalars(select(Mentorship).where(Mentorship.mentor_id == record.id)).all()
    for row in rows:
        if row.mentee_id not in wanted:
            session.delete(row)
    have = {row.mentee_id for row in rows}
    for mentee in wanted:
        if mentee not in have:
            # A newcomer has one mentor: taking them on ends the mentorship they had.
            for other in session.scalars(select(Mentorship).where(Mentorship.mentee_id == mentee)):
                session.delete(other)
            session.flush()
            # The bundle says who mentors whom, not since when: from the newcomer's start.
            started = session.get(Person, mentee).started
            session.add(Mentorship(mentor_id=record.id, mentee_id=mentee, since=started))
    session.flush()


def touch_documents_of(session: Session, person_id: str) -> None:
    """Bump the revision of a person's documents: who may read them has changed."""
    docs = session.scalars(
        select(Document).join(Authorship).where(Authorship.person_id == person_id)
    )
    for doc in docs:
        doc.revision += 1


def ensure_people(session: Session, ids: tuple[str, ...]) -> None:
    """Create bare people for author ids that have no profile yet."""
    added = False
    for pid in ids:
        if session.get(Person, pid) is None:
            session.add(
                Person(id=pid, name=pid, has_profile=False, subjects=[], grades=[], languages=[])
            )
            added = True
    if added:  # a second document by a new author must find them (session.get)
        session.flush()


def people_of(session: Session, ids) -> list[Person]:
    """Return the people with these ids, each created bare when missing, in one query and
    at most one flush (a batch of documents; hold the list: the session keeps them only
    while someone does)."""
    wanted = list(dict.fromkeys(ids))
    found: list[Person] = []
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        found += session.scalars(select(Person).where(Person.id.in_(part)))
    have = {p.id for p in found}
    missing = [
        Person(id=pid, name=pid, has_profile=False, subjects=[], grades=[], languages=[])
        for pid in wanted
        if pid not in have
    ]
    if missing:
        session.add_all(missing)
        session.flush()
    return found + missing
