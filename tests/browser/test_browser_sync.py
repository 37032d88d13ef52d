"""The syncs page and a synced document in a real browser at 1280 and 390 px: no axe
violations, no CSP complaints, nothing wider than a phone (material from a real wsgidav)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.conftest import CHROMIUM_ARGS, Visit  # noqa: F401 - the shared page helper
from tests.conftest import SAMPLE_BUNDLE
from tests.test_hostile import docx_bomb
from tests.webdav import PASSWORD, DavServer, sync_toml

pytestmark = pytest.mark.browser

LONG = "Svenska/Åk 9/Läsförståelse-och-källkritik-med-cirkelmodellen-en-genomgång-steg-för-steg.md"
PAGES = [("syncs", "/syncs"), ("document-synced", f"/doc/{quote('skolmoln/' + LONG)}")]
WIDTHS = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})


@pytest.fixture(scope="module")
def sync_base(tmp_path_factory):
    """A knowledge base that synced a WebDAV folder holding one long-named file and a bomb."""
    from kb import accounts
    from tests.helpers import open_kb

    dav = DavServer(tmp_path_factory.mktemp("dav"))
    dav.put(LONG, "# Läsförståelse\n\nCirkelmodellen steg för steg.\n")
    dav.put("Svenska/Åk 9/bomb-i-en-mapp-med-ett-långt-namn.docx", docx_bomb())
    folder = tmp_path_factory.mktemp("browser-sync")
    kb = open_kb(folder, SAMPLE_BUNDLE)
    accounts.set_coordinator(kb, "karin.sjoberg")
    (folder / "kb.toml").write_text(sync_toml(dav.url), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KB_TEST_DAV_PASSWORD", PASSWORD)
        kb.documents.sync()
    yield kb
    kb.close()
    dav.close()


@pytest.fixture(scope="module")
def sync_server(sync_base):
    from tests.helpers import make_app, serving

    with serving(make_app(sync_base)) as httpd:
        yield f"http://127.0.0.1:{httpd.server_port}"


@pytest.fixture
def karin(browser, sync_server, screenshots):
    ctx = browser.new_context(locale="sv-SE")
    ctx.set_default_timeout(15_000)
    visit = Visit(ctx.new_page(), sync_server, screenshots)
    visit.log_in()
    yield visit
    ctx.close()


@pytest.mark.parametrize("size", WIDTHS, ids=["wide", "phone"])
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_the_sync_pages_are_accessible_and_fit_a_phone(karin, name, path, size):
    karin.page.set_viewport_size(size)
    karin.goto(path)
    assert karin.axe_violations() == []
    assert karin.csp_errors == []
    assert karin.overflow() == {}
    karin.suffix = "" if size["width"] > 400 else "-phone"
    karin.screenshot(name)


def test_the_syncs_page_names_the_refused_file(karin):
    karin.goto("/syncs")
    assert karin.page.get_by_text("bomb-i-en-mapp-med-ett-långt-namn.docx").count() >= 1
    assert karin.page.get_by_role("link", name="Synkning").count() == 1
