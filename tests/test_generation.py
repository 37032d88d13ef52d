"""The documents' generation moves with every add, edit and delete, whoever writes them."""

from __future__ import annotations

from sqlalchemy import func, select, text

from kb.catalog import fingerprint
from kb.models import Document


def generation(kb) -> tuple:
    with kb.db.read() as session:
        return fingerprint(session)


def aggregate(kb) -> tuple:
    with kb.db.read() as session:
        return tuple(
            session.execute(select(func.count(Document.id), func.sum(Document.revision))).one()
        )


def test_the_generation_counts_the_documents_and_their_revisions_as_stored(make_kb, bundle):
    bundle.doc("material/a.md", "Högläsning i årskurs 2.", title="A")
    bundle.doc("material/b.md", "Boksamtal i årskurs 5.", title="B")
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    documents, _, revisions = generation(kb)
    assert (documents, revisions) == aggregate(kb) == (2, 2)


def test_an_edit_a_delete_and_an_add_each_move_the_generation(make_kb, bundle):
    bundle.doc("material/a.md", "Högläsning i årskurs 2.", title="A")
    bundle.doc("material/b.md", "Boksamtal i årskurs 5.", title="B")
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    seen = [generation(kb)]
    bundle.doc("material/a.md", "Högläsning i årskurs 3.", title="A")
    kb.documents.ingest(bundle.root)
    seen.append(generation(kb))
    (bundle.root / "material/b.md").unlink()
    kb.documents.ingest(bundle.root, prune=True)
    seen.append(generation(kb))
    bundle.doc("material/c.md", "Exit tickets i matematik.", title="C")
    kb.documents.ingest(bundle.root)
    seen.append(generation(kb))
    assert len(set(seen)) == 4
    documents, _, revisions = seen[-1]
    assert (documents, revisions) == aggregate(kb)


def test_a_write_outside_the_store_moves_the_generation_too(make_kb, bundle):
    # The database keeps it, so a write by another process, server or tool is seen alike.
    bundle.doc("material/a.md", "Högläsning i årskurs 2.", title="A")
    kb = make_kb()
    kb.documents.ingest(bundle.root)
    before = generation(kb)
    with kb.db.write() as session:
        session.execute(text("UPDATE documents SET revision = revision + 1"))
    assert generation(kb) != before
    documents, _, revisions = generation(kb)
    assert (documents, revisions) == aggregate(kb)
