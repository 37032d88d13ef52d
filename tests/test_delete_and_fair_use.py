"""A web upload can be deleted by its authors or a coordinator; uploads use the server fairly."""

from __future__ import annotations

import io
import threading

import pytest

from kb.features.documents.queries import CannotDelete, delete_document
from kb.features.share.queries import share_material
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import log_in, make_app, open_kb, post_form


@pytest.fixture
def base(tmp_path):
    kb = open_kb(tmp_path / "delete", SAMPLE_BUNDLE)
    yield kb
    kb.close()


def shared(kb, person="johan.lindqvist", text="Ordet pipistrellfladdermus.") -> str:
    return share_material(kb, kb.people.viewer(person), "f.txt", text.encode(), {"title": "Holkar"})


def found(kb, person: str, query: str) -> list[str]:
    from kb.search.query.hybrid import SearchRequest

    result = kb.finder.search(SearchRequest(text=query, viewer=kb.people.viewer(person)))
    return [h.source for h in result.hits]


def test_an_author_deletes_her_upload_and_search_no_longer_finds_it(base):
    source = shared(base)
    assert source in found(base, "karin.sjoberg", "pipistrellfladdermus")
    delete_document(base, base.people.viewer("johan.lindqvist"), source)
    assert source not in found(base, "karin.sjoberg", "pipistrellfladdermus")
    assert base.indexes.catalog().by_source.get(source) is None


def test_a_colleague_who_is_not_an_author_may_not_delete_an_upload(base):
    source = shared(base)
    with pytest.raises(CannotDelete) as refused:
        delete_document(base, base.people.viewer("noah.berg"), source)
    assert refused.value.code == "not_author"
    assert base.indexes.catalog().by_source.get(source) is not None


def test_a_coordinator_may_delete_anyones_upload(base):
    from kb.accounts import set_coordinator

    set_coordinator(base, "karin.sjoberg", True)
    source = shared(base)
    delete_document(base, base.people.viewer("karin.sjoberg"), source)
    assert base.indexes.catalog().by_source.get(source) is None


def test_a_bundle_document_is_not_deleted_on_the_web(base):
    source = next(iter(base.indexes.catalog().by_source))
    with pytest.raises(CannotDelete) as refused:
        delete_document(base, base.people.viewer("karin.sjoberg"), source)
    assert refused.value.code in ("bundle", "missing")


def test_kb_delete_removes_a_web_upload(cli, tmp_path):
    from kb.config import load_settings
    from kb.service import KnowledgeBase

    assert cli("ingest", str(SAMPLE_BUNDLE)).exit_code == 0
    kb = KnowledgeBase(load_settings(tmp_path / "cli-instance", embedder="fake"))
    source = shared(kb)
    kb.close()
    result = cli("delete", source)
    assert result.exit_code == 0 and f"deleted {source}" in result.output
    assert "Holkar" not in cli("search", "pipistrellfladdermus").output
    assert cli("delete", source).exit_code != 0


def test_the_api_deletes_an_upload_for_its_author_only(base):
    source = shared(base)
    client = make_app(base).test_client()
    other = base.people.create_token("noah.berg")
    author = base.people.create_token("johan.lindqvist")
    url = f"/api/documents/{source}/delete"
    assert client.post(url, headers={"Authorization": f"Bearer {other}"}).status_code == 403
    assert client.post(url, headers={"Authorization": f"Bearer {author}"}).status_code == 200
    assert client.post(url, headers={"Authorization": f"Bearer {author}"}).status_code == 404


def post_upload(client):
    fields = {"title": "Holkar", "language": "sv", "visibility": "all"}
    fields["file"] = (io.BytesIO(b"Text om holkar."), "f.txt")
    return post_form(client, "/share", fields, content_type="multipart/form-data")


def test_a_second_upload_while_the_first_is_read_is_told_to_try_again_at_once(base):
    app = make_app(base)
    client = app.test_client()
    log_in(client, base, "johan.lindqvist", set_password=False)
    slots = app.extensions["kb_upload_slots"]
    with slots.take("johan.lindqvist") as busy:
        assert busy is None
        response = post_upload(client)
    assert response.status_code == 429
    assert "Din förra fil läses fortfarande in" in response.get_data(as_text=True)
    assert post_upload(client).status_code == 302


def test_an_upload_when_every_extraction_slot_is_busy_is_told_to_try_again(base):
    app = make_app(base, EXTRACTION_SLOTS=1)
    client = app.test_client()
    log_in(client, base, "johan.lindqvist", set_password=False)
    slots = app.extensions["kb_upload_slots"]
    done = threading.Event()
    with slots.take("karin.sjoberg"):
        response = post_upload(client)
        done.set()
    assert response.status_code == 429
    assert "Många filer läses in just nu" in response.get_data(as_text=True)
