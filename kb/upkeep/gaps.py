"""Search gaps: questions that ended with no hit, or with no hit opened, counted per question.

Who asked is never stored. A gap keeps, per asker, a *tag*: the first 64 bits of
HMAC-SHA256(key, gap key | person id), the key derived from the instance's secret. Tags tell
two askers of one question apart (so a gap shows only once MIN_ASKERS different people asked)
without naming them: without the secret a tag cannot be tied to a person, and tags of two
questions cannot be linked to one another. With the secret and the list of people, anyone
can recompute who asked which gap: the secret is the protection (see docs/gaps.md).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.models import GapAsker, GapWeek, PendingSearch, SearchGap
from kb.search.analysis import swedish_analyzer

MIN_ASKERS = 2
TAG_HEX = 16  # 64 bits: collisions among a school's askers of one question are negligible
MAX_TEXT = 200
_ANALYZER = None


def gap_key(text: str) -> str:
    """Return a question's key: its analysed terms (stemmed, stop words out), sorted, unique."""
    global _ANALYZER
    if _ANALYZER is None:
        _ANALYZER = swedish_analyzer()
    words = {t.text for t in _ANALYZER(text or "", mode="query") if t.text}
    return " ".join(sorted(words))


def shown_text(text: str) -> str:
    """Return the phrasing a gap is shown with: lower case, one space, at most MAX_TEXT."""
    return re.sub(r"\s+", " ", (text or "").strip().lower())[:MAX_TEXT]


def asker_tag(secret: str, key: str, person_id: str) -> str:
    """Return the truncated keyed hash that tells askers of one gap apart."""
    derived = hmac.new(secret.encode(), b"kb-search-gap-askers", hashlib.sha256).digest()
    message = f"{key}|{person_id}".encode()
    return hmac.new(derived, message, hashlib.sha256).hexdigest()[:TAG_HEX]


def monday(day: date) -> date:
    """Return the Monday of a day's week."""
    return day - timedelta(days=day.weekday())


def count_gap(session: Session, key: str, text: str, tag: str, week: date) -> None:
    """Count one search that ended in a gap, its asker's tag and its week."""
    gap = session.scalar(select(SearchGap).where(SearchGap.key == key))
    if gap is None:
        try:
            with session.begin_nested():
                gap = SearchGap(key=key, text=text, searches=0)
                session.add(gap)
        except IntegrityError:  # another request created it first
            gap = session.scalar(select(SearchGap).where(SearchGap.key == key))
    gap.text = text
    gap.searches += 1
    if (
        session.scalar(select(GapAsker.id).where(GapAsker.gap_id == gap.id, GapAsker.tag == tag))
        is None
    ):
        session.add(GapAsker(gap_id=gap.id, tag=tag))
    row = session.scalar(select(GapWeek).where(GapWeek.gap_id == gap.id, GapWeek.week == week))
    if row is None:
        session.add(GapWeek(gap_id=gap.id, week=week, searches=1))
    else:
        row.searches += 1
    session.flush()


def record(
    session: Session, text: str, tag_of, hits: int, now: datetime, token: str | None = None
) -> str | None:
    """Record a search: a gap at once when it found nothing; pending (its token, given or
    made, returned) until a hit is opened when it found something. Questions of stop words
    only are not kept."""
    key = gap_key(text)
    if not key:
        return None
    if hits == 0:
        count_gap(session, key, shown_text(text), tag_of(key), monday(now.date()))
        return None
    token = token or secrets.token_hex(16)
    session.add(PendingSearch(token=token, key=key, text=shown_text(text), tag=tag_of(key), at=now))
    return token


def clicked(session: Session, token: str) -> bool:
    """Forget a pending search whose hit was opened; return whether there was one."""
    return session.execute(delete(PendingSearch).where(PendingSearch.token == token)).rowcount > 0


def fold(session: Session, now: datetime, window: timedelta) -> int:
    """Count every pending search older than the window as a gap and forget it; return how many."""
    old = session.scalars(select(PendingSearch).where(PendingSearch.at < now - window)).all()
    for row in old:
        count_gap(session, row.key, row.text, row.tag, monday(row.at.date()))
        session.delete(row)
    session.flush()
    return len(old)


@dataclass(frozen=True)
class Gap:
    id: int
    key: str
    text: str
    searches: int
    askers: int
    weeks: tuple[tuple[date, int], ...]


def shown_gaps(session: Session, minimum: int = MIN_ASKERS, limit: int = 20) -> list[Gap]:
    """Return the gaps at least `minimum` different people ran into, most askers first."""
    askers = (
        select(GapAsker.gap_id, func.count(GapAsker.id).label("n"))
        .group_by(GapAsker.gap_id)
        .having(func.count(GapAsker.id) >= minimum)
        .subquery()
    )
    rows = session.execute(
        select(SearchGap, askers.c.n)
        .join(askers, askers.c.gap_id == SearchGap.id)
        .order_by(askers.c.n.desc(), SearchGap.searches.desc(), SearchGap.key)
        .limit(limit)
    ).all()
    weeks: dict[int, list[tuple[date, int]]] = {}
    ids = [gap.id for gap, _ in rows]
    if ids:
        for gap_id, week, n in session.execute(
            select(GapWeek.gap_id, GapWeek.week, GapWeek.searches)
            .where(GapWeek.gap_id.in_(ids))
            .order_by(GapWeek.week)
        ):
            weeks.setdefault(gap_id, []).append((week, n))
    return [
        Gap(gap.id, gap.key, gap.text, gap.searches, n, tuple(weeks.get(gap.id, ())))
        for gap, n in rows
    ]


def dismiss(session: Session, gap_id: int) -> bool:
    """Forget a gap (a coordinator has seen to it); return whether there was one."""
    return session.execute(delete(SearchGap).where(SearchGap.id == gap_id)).rowcount > 0
