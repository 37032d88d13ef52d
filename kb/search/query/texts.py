"""The texts a search shows snippets from, read in the session the request reads in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import Chunk, Document


class StoredTexts:
    """Read documents' and passages' texts in one session (those gone are left out)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def documents(self, doc_ids: list[int]) -> dict[int, str]:
        """Return {doc_id: text} of these documents."""
        if not doc_ids:
            return {}
        rows = self.session.execute(
            select(Document.id, Document.text).where(Document.id.in_(doc_ids))
        )
        return {doc_id: text or "" for doc_id, text in rows}

    def chunks(self, chunk_ids: list[int]) -> dict[int, str]:
        """Return {chunk_id: text} of these chunks."""
        if not chunk_ids:
            return {}
        rows = self.session.execute(select(Chunk.id, Chunk.text).where(Chunk.id.in_(chunk_ids)))
        return dict(rows.all())
