"""Sorting and every facet on the search page, the API and the CLI: `author=`, `since=`."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from tests.helpers import make_app

QUERY = "läsning"


@pytest.fixture(scope="module", autouse=True)
def _no_cutoff(shared_kb):
    """Judge order and filters over every hit: the fake embedder's scores are noise, which
    the cut-off (tests/test_search_honest.py) would rightly silence."""
    shared_kb.finder.settings = replace(shared_kb.finder.settings, cutoff=False)
    (shared_kb.settings.instance_path / "kb.toml").write_text("cutoff = false\n")


def api(kb, **params) -> dict:
    client = make_app(kb).test_client()
    token = kb.people.create_token("karin.sjoberg")
    response = client.get(
        "/api/search",
        query_string={"q": QUERY, **params},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def dates_of(kb, hits) -> list:
    catalog = kb.indexes.catalog()
    return [catalog.by_source[h["source"]].date for h in hits]


def test_newest_first_orders_the_hits_by_date(shared_kb):
    days = [d for d in dates_of(shared_kb, api(shared_kb, sort="newest", limit=50)["hits"]) if d]
    assert len(days) > 3
    assert days == sorted(days, reverse=True)


def test_sorting_changes_the_order_not_what_is_found(shared_kb):
    newest, best = api(shared_kb, sort="newest", limit=50), api(shared_kb, limit=50)
    assert newest["total"] == best["total"]
    assert {h["source"] for h in newest["hits"]} == {h["source"] for h in best["hits"]}
    assert newest["sort"] == "newest" and best["sort"] == "relevance"


def test_an_unknown_sort_is_a_400_on_the_api(shared_kb):
    client = make_app(shared_kb).test_client()
    token = shared_kb.people.create_token("karin.sjoberg")
    response = client.get(
        "/api/search?q=x&sort=oldest", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400
    assert "sort must be one of relevance, newest" in response.get_json()["message"]


def test_the_api_filters_by_author_and_since(shared_kb):
    answer = api(shared_kb, author="karin.sjoberg", since="2026-01-01")
    assert answer["hits"]
    for hit in answer["hits"]:
        assert "karin.sjoberg" in [a["id"] for a in hit["authors"]]
    assert all(d and d.isoformat() >= "2026-01-01" for d in dates_of(shared_kb, answer["hits"]))
    assert answer["filters"] == {"author": "karin.sjoberg", "since": "2026-01-01"}


def test_the_page_filters_by_author_and_names_the_author(client, shared_kb):
    html = client.get(f"/?q={QUERY}&author=karin.sjoberg").get_data(as_text=True)
    expected = api(shared_kb, author="karin.sjoberg")["total"]
    assert f'id="results-heading">{expected} träffar' in html
    assert "Författare: Karin Sjöberg" in html


def test_the_page_offers_authors_as_a_facet(client):
    html = client.get(f"/?q={QUERY}").get_data(as_text=True)
    assert '<h3 id="facet-author">Författare</h3>' in html
    assert re.search(r'href="/\?q=l%C3%A4sning&amp;author=[a-z.]+">[A-ZÅÄÖ][a-zåäö]+ ', html)


def test_the_page_takes_a_date_range_and_keeps_it_in_the_form(client, shared_kb):
    html = client.get(f"/?q={QUERY}&since=2026-01-01&until=2026-06-30").get_data(as_text=True)
    total = api(shared_kb, since="2026-01-01", until="2026-06-30")["total"]
    assert f'id="results-heading">{total} träff' in html
    assert 'name="since" value="2026-01-01"' in html
    assert 'name="until" value="2026-06-30"' in html


def test_a_nonsense_date_on_the_page_is_ignored(client, shared_kb):
    html = client.get(f"/?q={QUERY}&since=igår").get_data(as_text=True)
    assert f'id="results-heading">{api(shared_kb)["total"]} träffar' in html


def test_the_page_sorts_newest_first_and_says_so(client):
    html = client.get(f"/?q={QUERY}&sort=newest").get_data(as_text=True)
    assert re.search(r'sort=newest" aria-current="true">Nyast först', html)


def test_the_hit_count_is_not_called_meetings_in_english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"
    html = client.get(f"/?q={QUERY}").get_data(as_text=True)
    assert re.search(r'id="results-heading">\d+ results<', html)


def test_the_cli_sorts_and_filters_by_author_and_since(cli, shared_kb):
    result = cli(
        "search",
        QUERY,
        "--author",
        "karin.sjoberg",
        "--since",
        "2026-01-01",
        "--sort",
        "newest",
        "--json",
        instance_dir=shared_kb.settings.instance_path,
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["hits"] and answer["sort"] == "newest"
    assert answer["filters"] == {"author": "karin.sjoberg", "since": "2026-01-01"}
    days = dates_of(shared_kb, answer["hits"])
    assert days == sorted(days, reverse=True)
