"""Export writes a bundle that ingests into the same knowledge base."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kb.ingest.export import ExportError, safe_target
from kb.models import Document, Person
from tests.conftest import SAMPLE_BUNDLE


def snapshot(kb) -> dict:
    """Return everything a colleague could learn from the knowledge base, ids left out."""
    with kb.db.read() as session:
        people = {
            p.id: (
                p.name,
                p.email,
                p.role,
                p.unit,
                p.subjects,
                p.grades,
                p.started,
                p.mentor,
                p.mentor_capacity,
                p.languages,
                p.bio,
                p.has_profile,
                [(s.name, s.level) for s in p.skills],
            )
            for p in session.scalars(select(Person))
        }
        docs = {
            d.source: (
                d.kind,
                d.format,
                d.title,
                d.date,
                d.author_ids,
                d.subjects,
                d.grades,
                d.tags,
                d.language,
                d.visibility,
                d.group,
                d.step,
                d.did,
                d.went_well,
                d.went_less_well,
                d.take_away,
                d.text,
                d.original.data if d.original else None,
            )
            for d in session.scalars(select(Document))
        }
    return {"people": people, "documents": docs}


def test_ingest_export_ingest_gives_the_same_knowledge_base(kb, make_kb, tmp_path):
    kb.documents.export(tmp_path / "exported")
    again = make_kb("again")
    report = again.documents.ingest(tmp_path / "exported")
    assert report.problems == []
    assert snapshot(again) == snapshot(kb)


def test_exported_bundle_keeps_binary_originals_byte_for_byte(kb, tmp_path):
    kb.documents.export(tmp_path / "out")
    source = "material/schack/schack-i-matematiken.pdf"
    assert (tmp_path / "out" / source).read_bytes() == (SAMPLE_BUNDLE / source).read_bytes()
    assert (tmp_path / "out" / (source + ".yaml")).exists()


def test_export_refuses_a_folder_that_is_not_empty(kb, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    with pytest.raises(ExportError):
        kb.documents.export(tmp_path / "busy")


@pytest.mark.parametrize(
    "source", ["../evil.md", "/etc/passwd", "material/../../x.md", "material/a\x00.md"]
)
def test_a_source_that_would_leave_the_bundle_folder_is_refused(tmp_path, source):
    with pytest.raises(ExportError):
        safe_target(tmp_path, source)


def test_export_from_the_command_line_prints_the_counts(cli, tmp_path):
    cli("ingest", str(SAMPLE_BUNDLE))
    result = cli("export", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "16 people, 36 material, 14 reflections" in result.output
