"""Authors edit, delete and restore their own web documents; every change is a kept version."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kb import accounts
from kb.features.edit.queries import CannotChange, delete, edit_document, restore, undelete
from kb.features.share.queries import share_material
from kb.search.query.hybrid import SearchRequest
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import csrf_token, logged_in_client, open_kb, post_form

PRIVATE = "material/privat/forsberg-npf-fortbildning-utkast.md"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """One knowledge base for the module: each test shares its own upload (a fresh source)."""
    kb = open_kb(tmp_path_factory.mktemp("edit"), SAMPLE_BUNDLE)
    yield kb
    kb.close()


def shared(kb, person="johan.lindqvist", text="# Holkar\n\nOrdet pipistrellfladdermus.", **meta):
    return share_material(kb, kb.people.viewer(person), "holkar.md", text.encode(), meta)


def found(kb, person: str, query: str) -> list[str]:
    result = kb.finder.search(SearchRequest(text=query, viewer=kb.people.viewer(person)))
    return [h.source for h in result.hits]


def test_an_edit_is_a_new_version_and_search_follows_at_once(base):
    source = shared(base)
    number = edit_document(
        base,
        base.people.viewer("johan.lindqvist"),
        source,
        {"text": "# Holkar\n\nNu om sparvugglor."},
    )
    assert number == 2
    assert source in found(base, "karin.sjoberg", "sparvugglor")
    assert source not in found(base, "karin.sjoberg", "pipistrellfladdermus")


def test_making_a_document_private_embeds_none_of_its_passages_again(base):
    source = shared(base)
    base.indexes.catalog()  # synced: its passages are embedded
    edit_document(base, base.people.viewer("johan.lindqvist"), source, {"visibility": "private"})
    base.indexes.catalog()
    report = base.indexes.last_sync
    assert (report.keyword_updated, report.vectors_added, report.vectors_removed) == (1, 0, 0)
    assert source in found(base, "johan.lindqvist", "pipistrellfladdermus")


def test_a_new_title_embeds_the_passages_again_for_they_carry_it(base):
    source = shared(base)
    base.indexes.catalog()
    edit_document(base, base.people.viewer("johan.lindqvist"), source, {"title": "Fågelholkar"})
    base.indexes.catalog()
    report = base.indexes.last_sync
    assert report.vectors_added == report.vectors_removed > 0


def test_the_file_title_is_used_when_the_form_has_none(base):
    source = shared(base)
    assert base.indexes.catalog().by_source[source].title == "Holkar"


def test_restoring_an_earlier_version_brings_its_text_back_as_a_new_version(base):
    source = shared(base)
    johan = base.people.viewer("johan.lindqvist")
    edit_document(base, johan, source, {"title": "Fel titel", "text": "Bara sparvugglor."})
    assert restore(base, johan, source, 1) == 3
    assert base.indexes.catalog().by_source[source].title == "Holkar"
    assert source in found(base, "karin.sjoberg", "pipistrellfladdermus")


def test_a_deleted_upload_comes_back_with_undelete_within_30_days(base):
    source = shared(base)
    delete(base, base.people.viewer("johan.lindqvist"), source)
    assert source not in found(base, "karin.sjoberg", "pipistrellfladdermus")
    undelete(base, base.people.viewer("johan.lindqvist"), source)
    assert source in found(base, "karin.sjoberg", "pipistrellfladdermus")


def test_after_30_days_a_delete_cannot_be_undone_and_purge_forgets_it(base):
    source = shared(base)
    delete(base, base.people.viewer("johan.lindqvist"), source)
    later = datetime.now() + timedelta(days=31)
    with pytest.raises(CannotChange) as refused:
        undelete(base, base.people.viewer("johan.lindqvist"), source, now=later)
    assert refused.value.code == "expired"
    assert base.documents.store.purge(now=later) == [source]


def test_kb_delete_keeps_working_and_can_be_undone(base):
    source = shared(base)
    assert base.documents.store.delete(source) is True
    assert base.indexes.catalog().by_source.get(source) is None
    base.documents.store.undelete(source)
    assert base.indexes.catalog().by_source[source].title == "Holkar"


def test_a_colleague_who_is_not_an_author_may_not_edit_or_restore(base):
    source = shared(base)
    with pytest.raises(CannotChange) as refused:
        edit_document(base, base.people.viewer("elin.forsberg"), source, {"title": "Hackad"})
    assert refused.value.code == "not_author"
    with pytest.raises(CannotChange):
        restore(base, base.people.viewer("elin.forsberg"), source, 1)
    assert base.indexes.catalog().by_source[source].title == "Holkar"


def test_a_coordinator_may_edit_anyones_upload(base):
    source = shared(base)
    accounts.set_coordinator(base, "noah.berg")
    edit_document(base, base.people.viewer("noah.berg"), source, {"title": "Rättad titel"})
    assert base.indexes.catalog().by_source[source].title == "Rättad titel"


def test_a_co_author_named_on_the_share_form_may_read_a_private_upload(base):
    source = shared(base, visibility="private", coauthors=["elin.forsberg"])
    assert base.indexes.catalog().may_open(base.people.viewer("elin.forsberg"), source)
    assert not base.indexes.catalog().may_open(base.people.viewer("karin.sjoberg"), source)


def test_edit_versions_and_restore_pages_of_a_hidden_document_are_not_found(base):
    source = shared(base, visibility="private")
    client = logged_in_client(base, "karin.sjoberg")
    token = csrf_token(client.get("/share").get_data(as_text=True))
    assert client.get(f"/edit/{source}").status_code == 404
    assert (
        client.post(f"/restore/{source}", data={"csrf_token": token, "version": "1"}).status_code
        == 404
    )
    assert client.post(f"/delete/{source}", data={"csrf_token": token}).status_code == 404
    assert base.indexes.catalog().by_source[source].title == "Holkar"


def test_the_versions_api_answers_only_authors(base):
    source = shared(base)
    client = logged_in_client(base, "karin.sjoberg")
    mine = {"Authorization": f"Bearer {base.people.create_token('johan.lindqvist')}"}
    other = {"Authorization": f"Bearer {base.people.create_token('elin.forsberg')}"}
    client.post(f"/api/documents/{source}/edit", json={"title": "Holkar 2"}, headers=mine)
    answer = client.get(f"/api/documents/{source}/versions", headers=mine).get_json()
    assert [v["number"] for v in answer["versions"]] == [2, 1]
    assert client.get(f"/api/documents/{source}/versions", headers=other).status_code == 403
    assert client.get(f"/api/documents/{PRIVATE}/versions", headers=mine).status_code == 404


def test_a_reader_sees_no_versions_or_edit_button_on_someone_elses_document(base):
    source = shared(base)
    page = logged_in_client(base, "elin.forsberg").get(f"/doc/{source}").get_data(as_text=True)
    assert "Versioner" not in page and f"/edit/{source}" not in page
    own = logged_in_client(base, "johan.lindqvist").get(f"/doc/{source}").get_data(as_text=True)
    assert "Versioner" in own and f"/edit/{source}" in own


def test_the_edit_form_saves_a_new_version(base):
    source = shared(base)
    client = logged_in_client(base, "johan.lindqvist")
    data = {"title": "Holkar för fåglar", "text": "# Holkar\n\nText.", "visibility": "all"}
    response = post_form(client, f"/edit/{source}", {**data, "language": "sv"})
    assert response.status_code == 302
    page = client.get(f"/doc/{source}").get_data(as_text=True)
    assert "Holkar för fåglar" in page and "Version 2" in page


def test_an_export_after_an_edit_writes_the_current_version(base, tmp_path):
    source = shared(base)
    edit_document(
        base, base.people.viewer("johan.lindqvist"), source, {"text": "# Holkar\n\nNy text."}
    )
    base.documents.export(tmp_path / "out")
    written = (tmp_path / "out" / source).read_text(encoding="utf-8")
    assert "Ny text." in written and "pipistrellfladdermus" not in written


def test_kb_versions_restore_and_undelete_on_the_command_line(base, monkeypatch):
    from click.testing import CliRunner

    from kb.cli import main

    source = shared(base)
    edit_document(base, base.people.viewer("johan.lindqvist"), source, {"title": "Holkar 2"})
    base.documents.store.delete(source)
    monkeypatch.setenv("KB_EMBEDDER", "fake")
    folder = str(base.settings.instance_path)

    def run(*args):
        return CliRunner().invoke(main, ["--instance", folder, *args]).output

    assert "undeleted" in run("undelete", source)
    assert "3. deleted" in run("versions", source)
    restored = run("restore", source, "1")
    assert "as version 5" in restored


def test_a_deleted_private_document_stays_hidden_from_a_coordinator(base):
    source = shared(base, text="# Hemliga holkar\n\nText.", visibility="private")
    delete(base, base.people.viewer("johan.lindqvist"), source)
    client = logged_in_client(base, "karin.sjoberg")
    assert client.get(f"/deleted/{source}").status_code == 404
    assert "Hemliga holkar" not in client.get("/").get_data(as_text=True)


def version_rows(html: str) -> list[str]:
    block = html[html.index('<ul class="versions"') :]
    block = block[: block.index("</ul>\n")]
    return block.split("<li>")[1:]


def test_each_version_says_what_changed_in_its_fields_and_text(base):
    source = shared(base)
    johan = base.people.viewer("johan.lindqvist")
    edit_document(base, johan, source, {"title": "Holkar för fladdermöss"})
    edit_document(
        base, johan, source, {"text": "# Holkar\n\nOrdet pipistrellfladdermus.\n\nSätt upp i maj."}
    )
    html = logged_in_client(base, "johan.lindqvist").get(f"/doc/{source}").get_data(as_text=True)
    newest, middle, first = version_rows(html)
    assert "Ändrat: text" in newest and "1 rad till" in newest and "Sätt upp i maj." in newest
    assert "Ändrat: titel" in middle and "text" not in middle.split("Ändrat:")[1][:20]
    assert "Första sparade versionen" in first


def test_no_restore_is_offered_on_a_version_identical_to_the_current_one(base):
    source = shared(base)
    johan = base.people.viewer("johan.lindqvist")
    edit_document(base, johan, source, {"title": "Fel titel"})
    restore(base, johan, source, 1)  # version 3 says what version 1 says
    html = logged_in_client(base, "johan.lindqvist").get(f"/doc/{source}").get_data(as_text=True)
    current, wrong, first = version_rows(html)
    assert "nuvarande" in current and "Återställd från version 1." in current
    assert "Återställ" in wrong
    assert "Återställ" not in first and "samma innehåll som nuvarande" in first
