"""The main menu: what a colleague and a coordinator see in it, in which order, and where they
are (each feature declares its own entry with who may use it: `NAV` in its package)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import csrf_token, logged_in_client, open_kb

TEACHER = "johan.lindqvist"
COORDINATOR = "karin.sjoberg"  # coordinator: true in the sample bundle
EVERYONES = [
    ("Sök", "/"),
    ("Vad har vi lärt oss?", "/learned"),
    ("Kollegor", "/people"),
    ("Vem kan?", "/experts"),
    ("Nya kollegor", "/newcomers"),
    ("Förfrågningar", "/requests"),
    ("Att granska", "/review"),
    ("Dela material", "/share"),
    ("Skriv reflektion", "/reflect"),
]
COORDINATORS = [
    *EVERYONES[:5],
    ("Kunskapsrisker", "/risk"),
    ("Sökluckor", "/gaps"),
    *EVERYONES[5:],
    ("Synkning", "/syncs"),
]
LINK = re.compile(r'<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>')


@pytest.fixture(scope="module")
def shared_kb(tmp_path_factory):
    base = open_kb(tmp_path_factory.mktemp("navigation"), SAMPLE_BUNDLE)
    yield base
    base.close()


def menu(client, url: str = "/learned") -> list[tuple[str, str]]:
    return [(text, href) for href, _, text in LINK.findall(menu_html(client, url))]


def menu_html(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    return found.group(0) if found else ""


def current(client, url: str) -> list[str]:
    return [text for _, mark, text in LINK.findall(menu_html(client, url)) if mark]


def test_a_teacher_sees_everyones_entries_in_order(shared_kb):
    assert menu(logged_in_client(shared_kb, TEACHER)) == EVERYONES


def test_a_coordinator_also_sees_knowledge_risk_search_gaps_and_syncs(shared_kb):
    assert menu(logged_in_client(shared_kb, COORDINATOR)) == COORDINATORS


def test_a_teacher_sees_no_entry_of_the_coordinators(shared_kb):
    shown = {text for text, _ in menu(logged_in_client(shared_kb, TEACHER))}
    assert shown.isdisjoint({"Kunskapsrisker", "Sökluckor", "Synkning"})


def test_nobody_signed_out_sees_the_menu(shared_kb):
    client = logged_in_client(shared_kb, TEACHER).application.test_client()
    assert menu_html(client, "/login") == ""


@pytest.mark.parametrize(
    ("url", "entry"),
    [
        ("/", "Sök"),
        ("/?q=schack", "Sök"),
        ("/newcomers", "Nya kollegor"),
        ("/newcomers/matching", "Nya kollegor"),
        ("/risk", "Kunskapsrisker"),
        ("/reflect", "Skriv reflektion"),
    ],
)
def test_the_entry_of_the_page_one_is_on_is_marked_current(shared_kb, url, entry):
    assert current(logged_in_client(shared_kb, COORDINATOR), url) == [entry]


def test_a_page_without_an_entry_marks_none(shared_kb):
    client = logged_in_client(shared_kb, TEACHER)
    assert current(client, "/doc/material/hallbarhet/vattenprover-norrviksan.md") == []


def test_the_menu_speaks_the_colleagues_language(shared_kb):
    client = logged_in_client(shared_kb, COORDINATOR)
    page = client.get("/learned").get_data(as_text=True)
    token = csrf_token(page.split('action="/language"', 1)[1])
    client.post("/language", data={"lang-lang": "en", "lang-csrf_token": token})
    labels = [text for text, _ in menu(client)]
    assert labels[0] == "Search" and "Knowledge risks" in labels


@pytest.mark.parametrize("person", [TEACHER, COORDINATOR])
def test_every_entry_leads_to_a_page_its_viewer_may_open(shared_kb, person):
    client = logged_in_client(shared_kb, person)
    for text, href in menu(client):
        assert client.get(href).status_code == 200, text


def test_the_coordinators_entries_lead_to_pages_a_teacher_may_not_open(shared_kb):
    client = logged_in_client(shared_kb, TEACHER)
    for text, href in COORDINATORS:
        if (text, href) not in EVERYONES:
            assert client.get(href).status_code == 403, text
