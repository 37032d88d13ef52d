"""Swedish by default, English by choice, and an English catalog that is complete and compiled."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import ROOT
from tests.helpers import csrf_token, log_in, make_app

TRANSLATIONS = ROOT / "kb" / "web" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")


def switch_to(client, lang: str, next_path: str = "/"):
    page = client.get(next_path).get_data(as_text=True)
    token = csrf_token(page.split('action="/language"', 1)[1])
    return client.post(
        "/language", data={"lang-lang": lang, "lang-next": next_path, "lang-csrf_token": token}
    )


def test_pages_are_swedish_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "Vad letar du efter?" in html


def test_the_log_in_page_is_swedish_for_an_english_browser_too(shared_kb):
    html = (
        make_app(shared_kb)
        .test_client()
        .get("/login", headers={"Accept-Language": "en-GB,en"})
        .get_data(as_text=True)
    )
    assert '<html lang="sv">' in html and "Logga in" in html


def test_a_colleague_can_switch_to_english_and_back(client):
    response = switch_to(client, "en", "/risk?leaving=amira.haddad")
    assert response.headers["Location"] == "/risk?leaving=amira.haddad"
    html = client.get("/risk").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Knowledge risks" in html and "På svenska" in html
    switch_to(client, "sv", "/risk")
    assert '<html lang="sv">' in client.get("/risk").get_data(as_text=True)


def test_the_chosen_language_survives_logging_in(shared_kb):
    client = make_app(shared_kb).test_client()
    switch_to(client, "en", "/login")
    log_in(client, shared_kb, "karin.sjoberg", set_password=False)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_an_unknown_language_is_refused(client):
    page = client.get("/").get_data(as_text=True)
    token = csrf_token(page.split('action="/language"', 1)[1])
    response = client.post("/language", data={"lang-lang": "xx", "lang-csrf_token": token})
    assert response.status_code == 400


def test_the_english_pages_show_english_dates_and_labels(client):
    switch_to(client, "en")
    html = client.get("/doc/reflections/2025-03-12-lasframjande-natverket.md").get_data(
        as_text=True
    )
    assert "Mar 12, 2025" in html and "follow up" in html
    assert '<div class="doc-body" lang="sv">' in html


def test_every_text_of_the_pages_has_an_english_translation():
    catalog = read_po(PO.open("rb"))
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    texts = set()
    method_map = [
        ("kb/web/**.py", "python"),
        ("kb/features/**.py", "python"),
        ("kb/accounts.py", "python"),
        ("kb/expertise/reasons.py", "python"),
        ("kb/ingest/submit.py", "python"),
        ("kb/search/catalog.py", "python"),
        ("kb/web/templates/**.html", "jinja2"),
        ("kb/features/*/templates/**.html", "jinja2"),
    ]
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "_l": None,
        "lazy_gettext": None,
        "N_": None,
        "Np_": (1, 2),
    }
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, keywords=keywords
    ):
        texts.add(message if isinstance(message, str) else message[0])
    missing = sorted(t for t in texts if t not in translated)
    assert missing == []
    untranslated = sorted(
        k
        for k, m in translated.items()
        if not m.string or (not isinstance(m.string, str) and not all(m.string)) or m.fuzzy
    )
    assert untranslated == []


def messages(catalog) -> dict:
    """Return {msgid: translation}, plural forms as tuples."""
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): (
            m.string if isinstance(m.string, str) else tuple(m.string)
        )
        for m in catalog
        if m.id
    }


def test_the_compiled_catalog_matches_the_translations():
    assert messages(read_mo(MO.open("rb"))) == messages(read_po(PO.open("rb")))


def test_the_catalog_lives_where_flask_babel_looks(shared_kb):
    app = make_app(shared_kb)
    assert Path(app.root_path, "translations") == TRANSLATIONS
