"""Who is who: viewers, names, profiles, API tokens and who coordinates."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.access import Viewer
from kb.config import Settings
from kb.db import Database
from kb.models import ApiToken, Mentorship, Person, Skill


class UnknownPerson(LookupError):
    """A person id that is not in the knowledge base."""


def hash_token(token: str) -> str:
    """Hash an API token; only the hash is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Stage(NamedTuple):
    """Where a person is in their time at the school."""

    id: str
    started: date | None
    newcomer: bool | None
    left: date | None


class People:
    """The colleagues of one instance, as every feature sees them."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db

    # ---------------------------------------------------------------- viewers and tokens
    def viewer(self, person_id: str) -> Viewer:
        """Return the viewer for a person id; raise UnknownPerson when there is none."""
        with self.db.read() as session:
            person = session.get(Person, person_id)
            if person is None:
                raise UnknownPerson(person_id)
            return Viewer(person_id=person.id, unit=person.unit)

    def create_token(self, person_id: str) -> str:
        """Create an API token for a person; the token itself is shown once and never stored."""
        token = "kb_" + secrets.token_urlsafe(32)
        with self.db.write() as session:
            if session.get(Person, person_id) is None:
                raise UnknownPerson(person_id)
            session.add(
                ApiToken(person_id=person_id, token_hash=hash_token(token), prefix=token[:10])
            )
        return token

    def revoke_tokens(self, person_id: str | None = None, prefix: str | None = None) -> int:
        """Revoke a person's tokens (or the one with this prefix); return how many."""
        with self.db.write() as session:
            query = select(ApiToken).where(ApiToken.revoked_at.is_(None))
            if person_id:
                query = query.where(ApiToken.person_id == person_id)
            if prefix:
                query = query.where(ApiToken.prefix == prefix[:10])
            tokens = list(session.scalars(query))
            for token in tokens:
                token.revoked_at = datetime.now()
            return len(tokens)

    def viewer_for_token(self, token: str) -> Viewer | None:
        """Return the viewer a valid, unrevoked token belongs to, else None."""
        if not token:
            return None
        with self.db.read() as session:
            row = session.scalar(
                select(ApiToken).where(
                    ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
                )
            )
            if row is None:
                return None
            person = session.get(Person, row.person_id)
            return Viewer(person_id=person.id, unit=person.unit) if person else None

    def is_coordinator(self, viewer: Viewer, session: Session | None = None) -> bool:
        """Tell whether the viewer coordinates collegial learning (by hand or from the
        identity provider); the system itself does."""
        if viewer.is_system:
            return True
        if session is None:
            with self.db.read() as own:
                return self.is_coordinator(viewer, own)
        person = session.get(Person, viewer.person_id) if viewer.person_id else None
        return bool(person and (person.is_coordinator or person.idp_coordinator))

    # ---------------------------------------------------------------- names
    def person_names(self, ids, session: Session | None = None) -> dict[str, str]:
        """Return the display names of these person ids (the id itself when unknown)."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        if session is None:
            with self.db.read() as own:
                return self.person_names(ids, own)
        found = dict(
            session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all()
        )
        return {pid: found.get(pid, pid) for pid in ids}

    def people_refs(self, ids) -> list[dict]:
        """Return [{id, name}] for person ids, in order."""
        names = self.person_names(ids)
        return [{"id": pid, "name": names[pid]} for pid in names]

    def profile_names(self, session: Session | None = None) -> dict[str, str]:
        """Return {id: name} of everyone with a profile."""
        if session is None:
            with self.db.read() as own:
                return self.profile_names(own)
        rows = session.execute(select(Person.id, Person.name).where(Person.has_profile))
        return dict(rows.all())

    def profile_refs(self) -> list[dict]:
        """Return [{id, name}] of everyone with a profile, by name."""
        with self.db.read() as session:
            rows = session.execute(
                select(Person.id, Person.name).where(Person.has_profile).order_by(Person.name)
            )
            return [{"id": pid, "name": name} for pid, name in rows]

    def unknown(self, ids) -> list[str]:
        """Return those of these person ids that name nobody, in order."""
        ids = list(dict.fromkeys(ids))
        with self.db.read() as session:
            known = set(session.scalars(select(Person.id).where(Person.id.in_(ids))))
        return [i for i in ids if i not in known]

    def units_of(self, ids) -> list[str | None]:
        """Return the units of these people (for who could read what they wrote)."""
        with self.db.read() as session:
            return list(session.scalars(select(Person.unit).where(Person.id.in_(list(ids)))))

    def skill_rows(self, session: Session | None = None) -> list[tuple[str, str, int]]:
        """Return (person id, skill, level) of everyone with a profile."""
        if session is None:
            with self.db.read() as own:
                return self.skill_rows(own)
        rows = select(Skill.person_id, Skill.name, Skill.level).join(Person)
        return [tuple(r) for r in session.execute(rows.where(Person.has_profile))]

    def stages(self) -> list[Stage]:
        """Return when everyone started and left and who is marked new: who is new, who gone."""
        with self.db.read() as session:
            rows = select(Person.id, Person.started, Person.newcomer, Person.left)
            return [Stage(*row) for row in session.execute(rows)]

    def mentorship_pairs(self, person_id: str) -> list[tuple[str, str]]:
        """Return (mentor, mentee) of the mentorships a person is in."""
        with self.db.read() as session:
            rows = select(Mentorship.mentor_id, Mentorship.mentee_id).where(
                (Mentorship.mentor_id == person_id) | (Mentorship.mentee_id == person_id)
            )
            return [tuple(r) for r in session.execute(rows)]

    # ---------------------------------------------------------------- the directory
    def person(self, person_id: str | None) -> dict | None:
        """Return a person's id, name, unit, start and newcomer mark, or None."""
        with self.db.read() as session:
            p = session.get(Person, person_id) if person_id else None
            if p is None:
                return None
            return {
                "id": p.id,
                "name": p.name,
                "unit": p.unit,
                "started": p.started,
                "newcomer": p.newcomer,
            }

    def directory(self, query: str = "") -> list[dict]:
        """Return every colleague with a profile (those matching every word of `query` in
        name, role, unit, subjects, grades or skills), by unit and name."""
        words = (query or "").casefold().split()
        with self.db.read() as session:
            people = session.scalars(
                select(Person).where(Person.has_profile).order_by(Person.unit, Person.name)
            ).all()
            return [
                {
                    "id": p.id,
                    "name": p.name,
                    "unit": p.unit,
                    "role": p.role,
                    "subjects": list(p.subjects or ()),
                    "grades": list(p.grades or ()),
                    "mentor": bool(p.mentor),
                }
                for p in people
                if not words or _matches(p, words)
            ]

    def profile(self, person_id: str) -> dict | None:
        """Return what a colleague's profile says of them, or None when there is nobody."""
        with self.db.read() as session:
            person = session.get(Person, person_id)
            if person is None:
                return None
            return {
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
                "left": person.left,
            }


def _matches(person: Person, words: list[str]) -> bool:
    """Tell whether every word is in the person's name, role, unit, subjects, grades or skills."""
    fields = [person.name, person.role, person.unit, *person.subjects, *person.grades]
    fields += [s.name for s in person.skills]
    haystack = " ".join(f for f in fields if f).casefold()
    return all(w in haystack for w in words)
