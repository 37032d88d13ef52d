"""Colleagues' accounts: passwords, log-in, sessions, invitations and their own profiles."""

from __future__ import annotations

import gzip
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from kb.access import Viewer
from kb.config import SECRET_FILE, instance_secret  # noqa: F401 (kb.accounts names them)
from kb.models import Person, Skill, SsoIdentity
from kb.service import KnowledgeBase, UnknownPerson
from kb.text.slugs import split_values

MIN_PASSWORD = 10
MAX_PASSWORD = 200
INVITATION_DAYS = 7
INVITATION_SALT = "kb-invitation"
# werkzeug's scrypt (n=2**15, r=8, p=1); the test suite lowers n, never the product.
HASH_METHOD = "scrypt"


# Checked against when nobody matches, so a wrong name costs as long as a wrong password.
@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Return a hash to check unknown accounts against (made at first use: a scrypt hash
    costs a fifth of a second, and a server starting must listen at once)."""
    return generate_password_hash(secrets.token_hex(8), method=HASH_METHOD)


class WeakPassword(ValueError):
    """A password that does not meet the rules; the message says which."""


class BadInvitation(ValueError):
    """An invitation link that is forged, used, expired or for someone who is gone."""


@dataclass(frozen=True)
class Account:
    """Who is logged in, as the web layer needs it for every request."""

    person_id: str
    name: str
    unit: str | None
    is_coordinator: bool
    session_version: int
    has_password: bool
    # Where the coordinator role comes from: "kb" (given by hand), "idp" (single sign-on), None.
    coordinator_source: str | None = None

    @property
    def viewer(self) -> Viewer:
        return Viewer(person_id=self.person_id, unit=self.unit)


def _account(person: Person) -> Account:
    return Account(
        person_id=person.id,
        name=person.name,
        unit=person.unit,
        is_coordinator=coordinates(person),
        session_version=person.session_version or 0,
        has_password=bool(person.password_hash),
        coordinator_source="kb"
        if person.is_coordinator
        else ("idp" if person.idp_coordinator else None),
    )


def coordinates(person: Person) -> bool:
    """Tell whether a person is a coordinator, by hand in kb or from the identity provider."""
    return bool(person.is_coordinator or person.idp_coordinator)


# The 10,000 most common passwords (the head of Django's list, from leaked password sets).
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """Return the common passwords, lower-cased."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip().casefold() for line in fh if line.strip())


def is_common(password: str) -> bool:
    """Tell whether a password is on the list of common passwords (case does not matter)."""
    return password.strip().casefold() in common_passwords()


def check_password_rules(password: str) -> None:
    """Raise WeakPassword unless the password is long enough, not absurdly long, not common."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise WeakPassword(f"at most {MAX_PASSWORD} characters")
    if is_common(password):
        raise WeakPassword("too common: it is one of the 10,000 most used passwords")


def account(kb: KnowledgeBase, person_id: str) -> Account | None:
    """Return a person's account, or None when there is no such person."""
    with kb.db.read() as session:
        person = session.get(Person, person_id)
        return _account(person) if person else None


def set_password(kb: KnowledgeBase, person_id: str, password: str) -> Account:
    """Set a person's password and end every session they had; return the new account."""
    check_password_rules(password)
    hashed = generate_password_hash(password, method=HASH_METHOD)
    with kb.db.write() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise UnknownPerson(person_id)
        person.password_hash = hashed
        person.session_version = (person.session_version or 0) + 1
        return _account(person)


def end_sessions(kb: KnowledgeBase, person_id: str) -> None:
    """End every session of a person (log-out everywhere)."""
    with kb.db.write() as session:
        person = session.get(Person, person_id)
        if person is not None:
            person.session_version = (person.session_version or 0) + 1


def session_account(kb: KnowledgeBase, person_id: str, version: int) -> Account | None:
    """Return the account a session belongs to, or None when that session has been ended."""
    with kb.db.read() as session:
        person = session.get(Person, person_id)
        if person is None or (person.session_version or 0) != version:
            return None
        # A session is either a password's or a single sign-on's.
        signs_in = bool(person.password_hash) or session.scalar(
            select(func.count(SsoIdentity.id)).where(SsoIdentity.person_id == person_id)
        )
        return _account(person) if signs_in else None


def _find(session, person_id_or_email: str) -> Person | None:
    handle = person_id_or_email.strip()
    if not handle:
        return None
    person = session.get(Person, handle.lower())
    if person is None and "@" in handle:
        person = session.scalar(select(Person).where(func.lower(Person.email) == handle.lower()))
    return person


def resolve_handle(kb: KnowledgeBase, person_id_or_email: str) -> str | None:
    """Return the person id a typed handle (id or e-mail) names, or None."""
    with kb.db.read() as session:
        person = _find(session, person_id_or_email)
        return person.id if person is not None else None


def authenticate(kb: KnowledgeBase, person_id_or_email: str, password: str) -> Account | None:
    """Return the account when the password is right, else None (never say which part was wrong)."""
    with kb.db.read() as session:
        person = _find(session, person_id_or_email)
        stored = person.password_hash if person is not None else None
        if not stored:
            check_password_hash(_dummy_hash(), password)
            return None
        return _account(person) if check_password_hash(stored, password) else None


def check_login(kb: KnowledgeBase, person_id_or_email: str, password: str) -> Viewer | None:
    """Return the viewer whose password this is, else None."""
    found = authenticate(kb, person_id_or_email, password)
    return found.viewer if found else None


def is_coordinator(kb: KnowledgeBase, viewer: Viewer) -> bool:
    """Tell whether the viewer coordinates collegial learning (sees the matching of mentors)."""
    return kb.people.is_coordinator(viewer)


class NotCoordinator(PermissionError):
    """Only a coordinator (or principal) may see or do this."""


def require_coordinator(kb: KnowledgeBase, viewer: Viewer, what: str) -> None:
    """Raise NotCoordinator unless the viewer is a coordinator (or the system itself)."""
    if not is_coordinator(kb, viewer):
        raise NotCoordinator(f"only coordinators see {what}")


def change_refusal(kb: KnowledgeBase, viewer: Viewer, source: str) -> str | None:
    """Say why a viewer may not edit or delete a document (missing, bundle, synced,
    not_author), or None.

    A document the viewer may not open is missing; one from a bundle changes in the bundle,
    one synced from a remote folder (kb sync) where it lives.
    """
    from kb.models import Document

    if not kb.indexes.catalog().may_open(viewer, source):
        return "missing"
    with kb.db.read() as session:
        doc = session.scalar(select(Document).where(Document.source == source))
        if doc is None:
            return "missing"
        origin, authors = doc.origin, list(doc.author_ids)
    if origin == "sync":
        return "synced"
    if origin != "web":
        return "bundle"
    if viewer.is_system or viewer.person_id in authors or is_coordinator(kb, viewer):
        return None
    return "not_author"


def set_coordinator(kb: KnowledgeBase, person_id: str, on: bool = True) -> Account:
    """Make a person a coordinator (or not) of collegial learning."""
    with kb.db.write() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise UnknownPerson(person_id)
        person.is_coordinator = on
        return _account(person)


def _fingerprint(person: Person) -> str:
    return hashlib.sha256((person.password_hash or "").encode()).hexdigest()[:16]


def make_invitation(kb: KnowledgeBase, person_id: str, secret: str) -> str:
    """Return a signed token for a first-log-in link; it dies when the person sets a password."""
    with kb.db.read() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise UnknownPerson(person_id)
        payload = {"id": person.id, "v": person.session_version or 0, "p": _fingerprint(person)}
    return URLSafeTimedSerializer(secret, salt=INVITATION_SALT).dumps(payload)


def read_invitation(
    kb: KnowledgeBase, token: str, secret: str, max_days: int = INVITATION_DAYS
) -> Account:
    """Return whose invitation this is; raise BadInvitation when it is not valid now."""
    serializer = URLSafeTimedSerializer(secret, salt=INVITATION_SALT)
    try:
        payload = serializer.loads(token, max_age=max_days * 86400)
    except SignatureExpired as exc:
        raise BadInvitation("expired") from exc
    except BadSignature as exc:
        raise BadInvitation("invalid") from exc
    if not isinstance(payload, dict):
        raise BadInvitation("invalid")
    with kb.db.read() as session:
        person = session.get(Person, str(payload.get("id")))
        if person is None:
            raise BadInvitation("invalid")
        if payload.get("v") != (person.session_version or 0) or payload.get("p") != _fingerprint(
            person
        ):
            raise BadInvitation("used")
        return _account(person)


def accept_invitation(kb: KnowledgeBase, token: str, secret: str, password: str) -> Account:
    """Set the password an invitation asks for; the invitation cannot be used again."""
    invited = read_invitation(kb, token, secret)
    return set_password(kb, invited.person_id, password)


# ---------------------------------------------------------------- own profile
PROFILE_FIELDS = ("role", "bio", "subjects", "grades", "languages", "mentor", "mentor_capacity")


def parse_skills(text: str) -> list[tuple[str, int]]:
    """Read one skill a line, "name" or "name: level" (level 1..5, else 3)."""
    skills: dict[str, int] = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        name, level = line, 3
        match = re.match(r"^(.*?)[:;]\s*([1-5])\s*$", line)
        if match:
            name, level = match.group(1).strip(), int(match.group(2))
        if name and name.casefold() not in {k.casefold() for k in skills}:
            skills[name[:300]] = level
    return list(skills.items())


def update_profile(kb: KnowledgeBase, viewer: Viewer, person_id: str, changes: dict) -> None:
    """Change a colleague's own profile and skills; nobody edits someone else's."""
    if not viewer.is_system and viewer.person_id != person_id:
        raise PermissionError("colleagues edit only their own profile")
    with kb.db.write() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise UnknownPerson(person_id)
        for key in ("role", "bio"):
            if key in changes:
                setattr(person, key, (changes[key] or "").strip() or None)
        for key in ("subjects", "grades", "languages"):
            if key in changes:
                setattr(person, key, list(split_values(changes[key])))
        if "mentor" in changes:
            person.mentor = bool(changes["mentor"])
        if "mentor_capacity" in changes:
            capacity = changes["mentor_capacity"]
            person.mentor_capacity = None if capacity in (None, "") else max(0, int(capacity))
        if "skills" in changes:
            skills = changes["skills"]
            pairs = parse_skills(skills) if isinstance(skills, str) else list(skills)
            person.skills = [Skill(name=n, level=lv, position=i) for i, (n, lv) in enumerate(pairs)]
        person.has_profile = True
