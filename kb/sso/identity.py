"""One account model for every way in: an identity (provider, subject) linked to a colleague."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from kb.accounts import Account, _account
from kb.ingest.people import touch_documents_of
from kb.models import Person, SsoIdentity
from kb.service import KnowledgeBase

audit = logging.getLogger("kb.audit")


class SignInRefused(PermissionError):
    """A log-in kb will not let through; `reason` names why (see kb.web.sso.errors)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Claims:
    """What a checked ID token or assertion says about who logs in."""

    how: str  # "oidc" or "saml"
    provider: str
    subject: str
    # The value that links to a colleague: their e-mail or eduPersonPrincipalName.
    link: str
    name: str = ""
    unit: str | None = None
    # None: the provider could not say (Entra's group overage); the role stays as it was.
    coordinator: bool | None = False
    # How the role was decided, for the audit line.
    mapping: str = ""


def _find_person(session, link: str) -> Person | None:
    value = link.strip().lower()
    if not value:
        return None
    person = session.scalar(select(Person).where(func.lower(Person.email) == value))
    return person or session.get(Person, value)


def _new_id(session, link: str) -> str:
    base = re.sub(r"[^a-z0-9._-]+", "-", link.split("@")[0].lower()).strip("-.") or "colleague"
    candidate, n = base, 1
    while session.get(Person, candidate) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _person_for(session, claims: Claims, just_in_time: bool) -> tuple[Person, bool]:
    known = session.scalar(
        select(SsoIdentity).where(
            SsoIdentity.provider == claims.provider, SsoIdentity.subject == claims.subject
        )
    )
    if known is not None:
        return session.get(Person, known.person_id), False
    person = _find_person(session, claims.link)
    created = False
    if person is None:
        if not just_in_time:
            raise SignInRefused("unknown_person", claims.link)
        person = Person(
            id=_new_id(session, claims.link),
            name=claims.name or claims.link,
            email=claims.link if "@" in claims.link else None,
            unit=claims.unit,
            has_profile=True,
        )
        session.add(person)
        session.flush()
        created = True
    session.add(SsoIdentity(provider=claims.provider, subject=claims.subject, person_id=person.id))
    return person, created


def _sync_role(person: Person, claims: Claims) -> str:
    if claims.coordinator is None:
        return f"kept idp_coordinator={bool(person.idp_coordinator)} ({claims.mapping})"
    person.idp_coordinator = claims.coordinator
    return f"idp_coordinator={claims.coordinator} ({claims.mapping})"


def sign_in(kb: KnowledgeBase, claims: Claims, just_in_time: bool = False) -> Account:
    """Return the account a checked identity logs in as; sync its role; write the audit line."""
    if not claims.subject or not claims.link:
        raise SignInRefused("missing_attributes", claims.provider)
    with kb.db.write() as session:
        person, created = _person_for(session, claims, just_in_time)
        if person.left is not None:
            raise SignInRefused("left", person.id)
        if not person.unit and claims.unit:
            person.unit = claims.unit
            touch_documents_of(session, person.id)  # her unit's colleagues now read them
        role = _sync_role(person, claims)
        session.flush()
        identity = session.scalar(
            select(SsoIdentity).where(
                SsoIdentity.provider == claims.provider, SsoIdentity.subject == claims.subject
            )
        )
        identity.last_login = datetime.now()
        account = _account(person)
    audit.info(
        "login person=%s how=%s provider=%s subject=%s%s role=%s coordinator=%s",
        account.person_id,
        claims.how,
        claims.provider,
        claims.subject,
        " created=just-in-time" if created else "",
        role,
        account.coordinator_source or "no",
    )
    return account


def refused(claims_or_provider: str, how: str, reason: str, detail: str = "") -> None:
    """Write the audit line of a refused log-in."""
    audit.warning(
        "login refused how=%s provider=%s reason=%s %s", how, claims_or_provider, reason, detail
    )
