"""Expertise: who knows about a question, and the colleagues and mentorships the mentor
rules weigh."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from kb.access import Viewer, may_read
from kb.config import Settings
from kb.db import Database
from kb.expertise.experts import Expert
from kb.expertise.gather import evidence_in, experts
from kb.expertise.mentors import Colleague
from kb.models import Mentorship, Person
from kb.search.serving.snapshots import IndexSnapshots
from kb.services.people import People


@dataclass(frozen=True)
class Running:
    """A mentorship that is running now."""

    mentor_id: str
    mentor_name: str
    mentee_id: str
    mentee_name: str
    since: date | None


class Expertise:
    """Experts by evidence, colleagues as the mentor rules see them, the mentorships."""

    def __init__(
        self, settings: Settings, db: Database, indexes: IndexSnapshots, people: People
    ) -> None:
        self.settings, self.db, self.indexes, self.people = settings, db, indexes, people
        # The analysed words of each document, per revision (kb.expertise.gather).
        self._terms: dict = {}

    def experts(self, viewer: Viewer, question: str, limit: int = 10) -> list[Expert]:
        """Rank who knows about a question from what the asker may open and declared skills,
        all read from one state of the database."""
        ix = self.indexes
        with self.db.snapshot() as session:
            evidence = evidence_in(
                session,
                self._terms,
                catalog=ix.catalog(session),
                keyword=ix.keyword,
                vectors=ix.vectors,
                embedder=ix.embedder,
                today=self.settings.as_of,
                names=self.people.profile_names(session),
                skills=self.people.skill_rows(session),
            )
            return experts(evidence, viewer, question, limit)

    def colleagues(self, viewer: Viewer) -> dict[str, Colleague]:
        """Return every colleague with a profile, with their evidence counted per subject
        (from what the viewer may open)."""
        catalog = self.indexes.catalog()
        evidence: dict[str, dict[str, int]] = {}
        for doc in catalog.docs.values():
            if not may_read(viewer, doc.readers):
                continue
            for author in doc.authors:
                for subject in doc.subjects:
                    per = evidence.setdefault(author, {})
                    per[subject] = per.get(subject, 0) + 1
        with self.db.read() as session:
            mentor_of: dict[str, list[str]] = {}
            mentored_by: dict[str, str] = {}
            for mentor_id, mentee_id in session.execute(
                select(Mentorship.mentor_id, Mentorship.mentee_id).order_by(Mentorship.id)
            ):
                mentor_of.setdefault(mentor_id, []).append(mentee_id)
                mentored_by[mentee_id] = mentor_id
            people = session.scalars(select(Person).where(Person.has_profile)).all()
            return {
                p.id: Colleague(
                    id=p.id,
                    name=p.name,
                    unit=p.unit,
                    subjects=tuple(p.subjects or ()),
                    grades=tuple(p.grades or ()),
                    started=p.started,
                    mentor=bool(p.mentor),
                    mentor_capacity=p.mentor_capacity,
                    mentees=len(mentor_of.get(p.id, ())),
                    newcomer_mark=p.newcomer,
                    skills=tuple(s.name for s in p.skills),
                    evidence_by_subject=evidence.get(p.id, {}),
                    role=p.role,
                    left=p.left,
                    mentor_of=tuple(mentor_of.get(p.id, ())),
                    mentored_by=mentored_by.get(p.id),
                )
                for p in people
            }

    def running(self, person_id: str | None = None) -> list[Running]:
        """Return the running mentorships (those someone is mentor or mentee in), oldest first."""
        with self.db.read() as session:
            query = select(Mentorship).order_by(Mentorship.id)
            if person_id:
                query = query.where(
                    (Mentorship.mentor_id == person_id) | (Mentorship.mentee_id == person_id)
                )
            rows = [(m.mentor_id, m.mentee_id, m.since) for m in session.scalars(query)]
            names = self.people.person_names([i for r in rows for i in r[:2]], session)
        return [Running(a, names.get(a, a), b, names.get(b, b), since) for a, b, since in rows]

    def assign(self, mentor_id: str, mentee_id: str, since: date | None = None) -> None:
        """Make mentor_id the mentor of mentee_id, ending any other of the mentee's."""
        with self.db.write() as session:
            for old in session.scalars(select(Mentorship).where(Mentorship.mentee_id == mentee_id)):
                session.delete(old)
            session.flush()
            session.add(
                Mentorship(
                    mentor_id=mentor_id, mentee_id=mentee_id, since=since or self.settings.as_of
                )
            )

    def end(self, mentee_id: str) -> bool:
        """End the mentorship of a newcomer; False when none ran."""
        with self.db.write() as session:
            rows = list(
                session.scalars(select(Mentorship).where(Mentorship.mentee_id == mentee_id))
            )
            for row in rows:
                session.delete(row)
            return bool(rows)
