"""Synced documents and the syncs page on the web and the API (a real wsgidav server)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import bearer, client_for, make_app, open_kb
from tests.test_hostile import docx_bomb
from tests.webdav import PASSWORD, DavServer, sync_toml

SYNCED = "skolmoln/Svenska/högläsning.md"


@pytest.fixture(scope="module")
def dav(tmp_path_factory):
    server = DavServer(tmp_path_factory.mktemp("dav"))
    server.put("Svenska/högläsning.md", "# Högläsning\n\nOm zqhogl och bilderböcker.\n")
    server.put("Svenska/bomb.docx", docx_bomb())
    yield server
    server.close()


@pytest.fixture(scope="module")
def base(tmp_path_factory, dav):
    folder = tmp_path_factory.mktemp("websync")
    kb = open_kb(folder, SAMPLE_BUNDLE)
    (folder / "kb.toml").write_text(sync_toml(dav.url), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KB_TEST_DAV_PASSWORD", PASSWORD)
        kb.documents.sync()
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def app(base):
    return make_app(base)


def test_a_synced_document_says_where_it_lives_and_links_there(app, base, dav):
    karin = client_for(app, base, "karin.sjoberg")  # a coordinator: may change web documents
    html = karin.get(f"/doc/{quote(SYNCED)}").get_data(as_text=True)
    link = f"{dav.url}/Svenska/h%C3%B6gl%C3%A4sning.md"
    assert f'href="{link}"' in html
    assert f">{dav.url}/Svenska/högläsning.md</a>" in html  # shown as people read it
    assert f"/edit/{quote(SYNCED)}" not in html  # no edit button


def test_editing_a_synced_document_is_refused_with_its_link(app, base, dav):
    karin = client_for(app, base, "karin.sjoberg")
    page = karin.get(f"/edit/{quote(SYNCED)}", follow_redirects=True)
    assert page.status_code == 200
    assert "Dokumentet hämtas från en annan plats" in page.get_data(as_text=True)
    answer = karin.post(
        f"/api/documents/{quote(SYNCED)}/edit",
        json={"title": "Annat"},
        headers=bearer(base, "karin.sjoberg"),
    )
    assert answer.status_code == 403 and answer.get_json()["reason"] == "synced"
    assert f"{dav.url}/Svenska/h%C3%B6gl%C3%A4sning.md" in answer.get_json()["message"]
    gone = karin.post(
        f"/api/documents/{quote(SYNCED)}/delete", headers=bearer(base, "karin.sjoberg")
    )
    assert gone.status_code == 403 and gone.get_json()["reason"] == "synced"


def test_the_syncs_page_shows_coordinators_the_runs_and_the_refused_file(app, base, dav):
    karin = client_for(app, base, "karin.sjoberg")
    johan = client_for(app, base, "johan.lindqvist")
    assert johan.get("/syncs").status_code == 403
    assert 'href="/syncs"' not in johan.get("/").get_data(as_text=True)
    html = karin.get("/syncs").get_data(as_text=True)
    assert "skolmoln/Svenska/bomb.docx" in html and "zip bomb" in html
    body = karin.get("/api/syncs", headers=bearer(base, "karin.sjoberg")).get_json()
    assert body["runs"][0]["status"] == "done" and body["runs"][0]["counts"]["added"] == 1
    assert body["refused"][0]["file"] == "skolmoln/Svenska/bomb.docx"
    assert PASSWORD not in html and PASSWORD not in str(body)
    assert body["sources"][0]["url"] == dav.url
