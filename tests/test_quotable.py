"""What an answer may quote and how its link marks it: a reflection's lessons only, a
material's opening, each sentence with its exact place, marked on the page even across <em>."""

from __future__ import annotations

from kb.text.passages import mark_passage
from kb.text.sentences import quotable

REFLECTION = """Vad gjorde vi?

Vi prövade boksamtal i fyra veckor med grupper om sex elever.

Vad gick bra?

Tysta elever sa mer i små grupper än i helklass. Bra.

Vad tar vi med oss?

  * Vänta ut tystnaden och säg mindre. Vi räknar tyst till tio innan vi frågar igen.
"""


def test_a_reflection_is_quoted_from_its_lessons_never_from_what_was_done():
    sentences = quotable(REFLECTION, "reflection")
    assert [s.text for s in sentences] == [
        "Tysta elever sa mer i små grupper än i helklass.",
        "Vänta ut tystnaden och säg mindre.",
        "Vi räknar tyst till tio innan vi frågar igen.",
    ]
    assert [s.section for s in sentences] == ["Vad gick bra?"] + ["Vad tar vi med oss?"] * 2


def test_every_quoted_sentence_stands_where_it_says_in_the_text():
    for s in quotable(REFLECTION, "reflection"):
        assert REFLECTION[s.start : s.start + len(s.text)] == s.text


def test_a_material_is_quoted_from_its_opening_without_its_headings():
    text = "Så gör vi\n\nGruppen är högst sex elever i taget. Resten läser tyst.\n"
    assert [s.text for s in quotable(text, "material")] == ["Gruppen är högst sex elever i taget."]


def test_the_link_marks_a_sentence_that_crosses_emphasis():
    page = "<ul><li>Vi provar <em>tänk–para–dela</em>: alla pratar först.</li></ul>"
    marked, found = mark_passage(page, "Vi provar tänk–para–dela: alla pratar först.")
    assert found and marked.count('id="passage"') == 1
    assert (
        marked.replace('<mark class="passage" id="passage">', "")
        .replace('<mark class="passage">', "")
        .replace("</mark>", "")
        == page
    )


def test_a_sentence_the_page_does_not_hold_is_not_marked():
    page = "<p>Något helt annat.</p>"
    assert mark_passage(page, "Vänta ut tystnaden.") == (page, False)


LESSON = """\
## Vad gjorde vi?
Vi prövade exit tickets i åk 8.

## Vad tar vi med oss?
- Tre frågor räcker gott på en exit ticket.
"""


def quoted_texts(kb):
    index = kb.indexes.sentences.current()
    return sorted(r.text for r in index.rows)


def test_the_sentence_index_is_rebuilt_from_the_database_when_its_file_is_lost(make_kb, bundle):
    bundle.doc("reflections/2026-01-01-grupp.md", LESSON, group="Gruppen", authors=["anna.lind"])
    kb = make_kb(answers=True)
    kb.documents.ingest(bundle.root)
    assert quoted_texts(kb) == ["Tre frågor räcker gott på en exit ticket."]
    (kb.settings.index_path / "sentences" / "sentences.npz").unlink()
    kb.indexes.sync_indexes()
    assert quoted_texts(kb) == ["Tre frågor räcker gott på en exit ticket."]


def test_a_changed_reflection_is_quoted_as_it_reads_now(make_kb, bundle):
    path = bundle.doc("reflections/2026-01-01-grupp.md", LESSON, group="Gruppen")
    kb = make_kb(answers=True)
    kb.documents.ingest(bundle.root)
    path.write_text(path.read_text().replace("Tre frågor", "Två frågor"), encoding="utf-8")
    kb.documents.ingest(bundle.root)
    assert quoted_texts(kb) == ["Två frågor räcker gott på en exit ticket."]


def test_with_answers_off_no_sentence_index_is_built(make_kb, bundle):
    bundle.doc("reflections/2026-01-01-grupp.md", LESSON, group="Gruppen")
    kb = make_kb(answers=False)
    kb.documents.ingest(bundle.root)
    assert kb.indexes.sentences.current() is None
    assert not (kb.settings.index_path / "sentences").exists()


def test_a_pdf_is_never_quoted_its_page_could_not_mark_the_words(make_kb, bundle):
    from tests.files import make_pdf

    bundle.write(
        "material/plan.pdf", make_pdf("Så gör vi när en elev är otrygg på rasten varje dag.")
    )
    kb = make_kb(answers=True)
    kb.documents.ingest(bundle.root)
    assert "material/plan.pdf" in kb.indexes.catalog().by_source
    assert quoted_texts(kb) == []


def test_every_sentence_the_demo_could_quote_is_marked_on_its_page(make_kb):
    from kb.access import Viewer
    from kb.features.documents.payload import with_passage
    from kb.features.documents.queries import document
    from tests.conftest import DEMO_BUNDLE

    kb = make_kb(answers=True)
    kb.documents.ingest(DEMO_BUNDLE)
    catalog, rows = kb.indexes.catalog(), kb.indexes.sentences.current().rows
    pages = {}
    for row in rows:
        source = catalog.docs[row.doc_id].source
        pages.setdefault(source, document(kb, Viewer.system(), source))
        assert with_passage(pages[source], row.text)["passage_found"], (source, row.text)
    assert len(rows) > 100


def test_a_sentence_sync_told_to_stop_keeps_whole_documents_and_the_next_one_finishes(
    make_kb, bundle, tmp_path
):
    import threading

    import pytest

    from kb.search.indexes.progress import IndexingStopped, LogProgress
    from kb.search.indexes.sentences import open_sentences, sync_sentences

    for n in range(150):
        bundle.doc(f"reflections/2026-01-{n:03d}.md", LESSON, group=f"Grupp {n}")
    kb = make_kb(answers=False)
    kb.documents.ingest(bundle.root)
    embedder, path = kb.indexes.embedder, tmp_path / "sentences"
    stop = threading.Event()
    stop.set()  # as when the server is gone: the first batch is the last

    with kb.db.read() as session, pytest.raises(IndexingStopped):
        sync_sentences(
            path, session, embedder, progress=lambda total: LogProgress("s", total, stop=stop)
        )
    kept = open_sentences(path, embedder.name, embedder.dim)
    whole = {row.doc_id for row in kept.rows}
    assert 0 < len(whole) < 150
    assert all(len(kept.rows_of(d)) == len(kept.rows_of(next(iter(whole)))) for d in whole)

    with kb.db.read() as session:
        sync_sentences(path, session, embedder)
    assert (
        len({row.doc_id for row in open_sentences(path, embedder.name, embedder.dim).rows}) == 150
    )
