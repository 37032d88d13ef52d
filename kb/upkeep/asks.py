"""Material requests: a question colleagues want material on, their votes, suggested experts,
and the material that answers it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import MaterialRequest, Person, RequestAnswer, RequestVote

MAX_QUESTION = 300


class RequestError(ValueError):
    """A request that cannot be made or changed; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Ask:
    """One material request as stored (who may see its answer is decided by the caller)."""

    id: int
    question: str
    asked_by: str
    asked_on: date
    votes: tuple[str, ...]
    experts: tuple[str, ...]
    answer: str | None
    answered_on: date | None
    # Every answer, first first: ((source, answered_on), ...); `answer` is the first.
    answers: tuple[tuple[str, date | None], ...] = ()


def _person(session: Session, person_id: str | None) -> Person:
    person = session.get(Person, person_id) if person_id else None
    if person is None or not person.has_profile:
        raise RequestError("unknown_person", f"{person_id!r} is not a colleague with a profile")
    return person


def create(session: Session, question: str, person_id: str, today: date) -> int:
    """Store a request asked by a colleague, with their vote; return its number."""
    question = " ".join((question or "").split())
    if not question:
        raise RequestError("empty", "say what material you are looking for")
    if len(question) > MAX_QUESTION:
        raise RequestError("too_long", f"a request is at most {MAX_QUESTION} characters")
    _person(session, person_id)
    row = MaterialRequest(question=question, asked_by=person_id, asked_on=today, experts=[])
    session.add(row)
    session.flush()
    session.add(RequestVote(request_id=row.id, person_id=person_id))
    session.flush()
    return row.id


def _request(session: Session, request_id: int) -> MaterialRequest:
    row = session.get(MaterialRequest, request_id)
    if row is None:
        raise RequestError("missing", f"there is no request {request_id}")
    return row


def vote(session: Session, request_id: int, person_id: str) -> bool:
    """Add a colleague's vote (one each); return whether it was new."""
    _request(session, request_id)
    _person(session, person_id)
    found = session.scalar(
        select(RequestVote.id).where(
            RequestVote.request_id == request_id, RequestVote.person_id == person_id
        )
    )
    if found is not None:
        return False
    session.add(RequestVote(request_id=request_id, person_id=person_id))
    session.flush()
    return True


def suggest(session: Session, request_id: int, expert_id: str) -> None:
    """Suggest a colleague as the one who could write the material."""
    row = _request(session, request_id)
    _person(session, expert_id)
    if expert_id not in (row.experts or []):
        row.experts = [*(row.experts or []), expert_id]


def answer(session: Session, request_id: int, source: str, today: date) -> None:
    """Add material that answers a request; a later answer joins the earlier ones."""
    row = _request(session, request_id)
    if row.answer is None:
        row.answer, row.answered_on = source, today
        return
    known = session.scalar(
        select(RequestAnswer.id).where(
            RequestAnswer.request_id == request_id, RequestAnswer.source == source
        )
    )
    if row.answer != source and known is None:
        session.add(RequestAnswer(request_id=request_id, source=source, answered_on=today))
        session.flush()


def asks(session: Session) -> list[Ask]:
    """Return every request, newest first, with its votes."""
    votes: dict[int, list[str]] = {}
    for request_id, person_id in session.execute(
        select(RequestVote.request_id, RequestVote.person_id).order_by(RequestVote.id)
    ):
        votes.setdefault(request_id, []).append(person_id)
    more: dict[int, list[tuple[str, date]]] = {}
    for request_id, source, day in session.execute(
        select(RequestAnswer.request_id, RequestAnswer.source, RequestAnswer.answered_on).order_by(
            RequestAnswer.id
        )
    ):
        more.setdefault(request_id, []).append((source, day))
    rows = session.scalars(select(MaterialRequest).order_by(MaterialRequest.id.desc()))
    return [
        Ask(
            id=r.id,
            question=r.question,
            asked_by=r.asked_by,
            asked_on=r.asked_on,
            votes=tuple(votes.get(r.id, ())),
            experts=tuple(r.experts or ()),
            answer=r.answer,
            answered_on=r.answered_on,
            answers=(((r.answer, r.answered_on),) if r.answer else ()) + tuple(more.get(r.id, ())),
        )
        for r in rows
    ]
