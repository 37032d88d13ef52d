"""Owners, review dates and material requests in a bundle: read, applied, written back.

Material requests travel in `requests.yaml` at the bundle's root (see docs/gaps.md):

    - question: Hur gör man en tydlig veckoplanering för elever med NPF?
      asked_by: anna.lind
      asked_on: 2026-10-01
      votes: [anna.lind, johan.ek]     # one per person; the asker's first
      experts: [karin.sjoberg]         # suggested as the one who could write it
      answer: material/npf/veckoplan.md   # set when material answers it
      answered_on: 2026-10-12
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.ingest.extract import decode_text
from kb.ingest.records import IngestReport, Problem, RequestRecord
from kb.models import Document, MaterialRequest, Person, RequestVote
from kb.text.frontmatter import load_yaml, yaml_reason

REQUESTS_FILE = "requests.yaml"
REQUEST_KEYS = {"question", "asked_by", "asked_on", "votes", "experts", "answer", "answered_on"}


def _ids(value, key: str, known: set[str], notes: list[str]) -> tuple[str, ...] | None:
    """Read a list of person ids, naming the ones that are not in people.yaml."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        notes.append(f"'{key}' should be a list of person ids; ignored")
        return None
    out = []
    for pid in (v.strip() for v in items):
        if pid not in known:
            notes.append(f"{key[:-1]} id '{pid}' is not in people.yaml; ignored")
        elif pid not in out:
            out.append(pid)
    return tuple(out)


def read_upkeep(meta: dict, known: set[str], notes: list[str], as_date) -> dict:
    """Read `owners`, `reviewed` and `review_by` from a front matter or sidecar."""
    reviewed = as_date(meta.get("reviewed"), "reviewed", notes)
    review_by = as_date(meta.get("review_by"), "review_by", notes)
    if reviewed and review_by and review_by < reviewed:
        notes.append(f"'review_by' {review_by} is before 'reviewed' {reviewed}; ignored")
        review_by = None
    return {
        "owners": _ids(meta.get("owners"), "owners", known, notes),
        "reviewed": reviewed,
        "review_by": review_by,
    }


def _request(entry, index: int, known: set[str], as_date) -> tuple[RequestRecord | None, list]:
    where = f"{REQUESTS_FILE} (entry {index})"
    if not isinstance(entry, dict):
        return None, [Problem(where, "not a mapping; skipped")]
    notes: list[str] = []
    notes.extend(f"unknown key '{k}' ignored" for k in sorted(set(map(str, entry)) - REQUEST_KEYS))
    question = " ".join(str(entry.get("question") or "").split())
    asked_by = str(entry.get("asked_by") or "").strip()
    asked_on = as_date(entry.get("asked_on"), "asked_on", notes)
    errors = []
    if not question:
        errors.append("required field 'question' is missing")
    if asked_by not in known:
        errors.append(f"asked_by {asked_by!r} is not in people.yaml")
    if asked_on is None:
        errors.append("required field 'asked_on' is missing or not a date")
    if errors:
        return None, [Problem(where, "; ".join(errors + notes) + "; not imported")]
    answer = str(entry.get("answer") or "").strip() or None
    record = RequestRecord(
        question=question,
        asked_by=asked_by,
        asked_on=asked_on,
        votes=_ids(entry.get("votes"), "votes", known, notes) or (),
        experts=_ids(entry.get("experts"), "experts", known, notes) or (),
        answer=answer,
        answered_on=as_date(entry.get("answered_on"), "answered_on", notes) if answer else None,
    )
    return record, [Problem(where, "; ".join(notes), refused=False)] if notes else []


def read_requests(root: Path, known: set[str], as_date) -> tuple[list[RequestRecord], list]:
    """Read requests.yaml when the bundle has one; every fault is a Problem."""
    path = root / REQUESTS_FILE
    if not path.is_file():
        return [], []
    try:
        data = load_yaml(decode_text(path.read_bytes()))
    except (yaml.YAMLError, ValueError, OSError) as exc:
        reason = yaml_reason(exc) if isinstance(exc, yaml.YAMLError) else str(exc)
        return [], [Problem(REQUESTS_FILE, f"does not parse ({reason}); no request imported")]
    if data is None:
        return [], []
    if not isinstance(data, list):
        return [], [Problem(REQUESTS_FILE, "is not a list of requests; no request imported")]
    records, problems = [], []
    for index, entry in enumerate(data, start=1):
        record, found = _request(entry, index, known, as_date)
        problems.extend(found)
        if record:
            records.append(record)
    return records, problems


def upkeep_hash(owners, reviewed, review_by) -> str:
    """Hash a bundle's upkeep values of one document, to tell later whether it changed them."""
    return hashlib.sha256(repr((owners, reviewed, review_by)).encode()).hexdigest()[:16]


def apply_upkeep(doc: Document, record) -> None:
    """Take a document's owners and review dates from the bundle, unless the bundle has not
    changed them since the last ingest (what owners marked on the web then stays); a review
    marked later than the bundle's is kept either way."""
    digest = upkeep_hash(record.owners, record.reviewed, record.review_by)
    extra = dict(doc.extra or {})
    if extra.get("upkeep") == digest:
        return
    extra["upkeep"] = digest
    doc.extra = extra
    doc.owners = list(record.owners) if record.owners is not None else None
    if doc.reviewed is None or (record.reviewed is not None and record.reviewed >= doc.reviewed):
        doc.reviewed, doc.review_by = record.reviewed, record.review_by


def apply_requests(session: Session, records, report: IngestReport) -> None:
    """Store the bundle's requests: one already here (same question, asker and day) gains
    the bundle's votes, experts and answer; others are added."""
    for record in records:
        row = session.scalar(
            select(MaterialRequest).where(
                MaterialRequest.question == record.question,
                MaterialRequest.asked_by == record.asked_by,
                MaterialRequest.asked_on == record.asked_on,
            )
        )
        new = row is None
        if new:
            row = MaterialRequest(
                question=record.question,
                asked_by=record.asked_by,
                asked_on=record.asked_on,
                experts=[],
            )
            session.add(row)
            session.flush()
        changed = False
        experts = list(dict.fromkeys([*(row.experts or []), *record.experts]))
        if experts != (row.experts or []):
            row.experts, changed = experts, True
        if record.answer and row.answer is None:
            row.answer, row.answered_on, changed = record.answer, record.answered_on, True
        votes = select(RequestVote.person_id).where(RequestVote.request_id == row.id)
        have = set(session.scalars(votes))
        for pid in dict.fromkeys((record.asked_by, *record.votes)):
            if pid not in have and session.get(Person, pid) is not None:
                session.add(RequestVote(request_id=row.id, person_id=pid))
                changed = True
        outcome = "added" if new else "updated" if changed else "unchanged"
        setattr(report.requests, outcome, getattr(report.requests, outcome) + 1)
    session.flush()


def request_entries(session: Session, answer_shown) -> list[dict]:
    """Return every request as a requests.yaml entry; an answer `answer_shown` refuses is
    left out (the request is then open for whoever reads the bundle)."""
    votes: dict[int, list[str]] = {}
    for request_id, pid in session.execute(
        select(RequestVote.request_id, RequestVote.person_id).order_by(RequestVote.id)
    ):
        votes.setdefault(request_id, []).append(pid)
    out = []
    for row in session.scalars(select(MaterialRequest).order_by(MaterialRequest.id)):
        answered = row.answer is not None and answer_shown(row.answer)
        entry = {
            "question": row.question,
            "asked_by": row.asked_by,
            "asked_on": row.asked_on,
            "votes": votes.get(row.id) or None,
            "experts": list(row.experts or []) or None,
            "answer": row.answer if answered else None,
            "answered_on": row.answered_on if answered else None,
        }
        out.append({k: v for k, v in entry.items() if v is not None})
    return out


def upkeep_meta(doc: Document) -> dict:
    """Return a document's owners and review dates as front matter keys (only those set)."""
    meta = {"owners": doc.owners, "reviewed": doc.reviewed, "review_by": doc.review_by}
    return {k: v for k, v in meta.items() if v is not None}
