"""Search gaps, material requests and review dates on the pages, the API and the CLI."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import bearer, client_for, csrf_token, make_app, open_kb

OLD = "material/programmering/microbit-kom-igang.md"  # Johan's, dated 2024-01-15: overdue
PRIVATE = "material/privat/forsberg-npf-fortbildning-utkast.md"  # Elin's own draft
NOTHING = "zorbaxmetodik"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    kb = open_kb(tmp_path_factory.mktemp("upkeep"), SAMPLE_BUNDLE)
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def app(base):
    return make_app(base)


@pytest.fixture
def johan(app, base):
    return client_for(app, base, "johan.lindqvist")


@pytest.fixture
def elin(app, base):
    return client_for(app, base, "elin.forsberg")


@pytest.fixture
def karin(app, base):  # the coordinator
    return client_for(app, base, "karin.sjoberg")


def pending(base) -> int:
    base.upkeep.search_log.flush()  # what the writer thread does within a second
    with base.db.read() as session:
        return session.execute(text("SELECT count(*) FROM pending_searches")).scalar()


# ------------------------------------------------------------------ search gaps
def test_the_gaps_page_and_api_are_for_coordinators_only(base, johan, karin):
    assert johan.get("/gaps").status_code == 403
    assert johan.get("/api/gaps", headers=bearer(base, "johan.lindqvist")).status_code == 403
    assert "Det här letar" not in johan.get("/gaps").get_data(as_text=True)
    assert karin.get("/gaps").status_code == 200
    assert 'href="/gaps"' not in johan.get("/").get_data(as_text=True)
    assert 'href="/gaps"' in karin.get("/").get_data(as_text=True)


def test_a_question_two_colleagues_searched_in_vain_shows_with_counts_and_people(
    base, johan, elin, karin
):
    johan.get(f"/?q={NOTHING}")
    assert "zorbaxmetodik" not in karin.get("/gaps").get_data(as_text=True)
    elin.get(f"/api/search?q={NOTHING}", headers=bearer(base, "elin.forsberg"))
    base.upkeep.search_gaps(now=datetime.now() + timedelta(hours=1))  # past the click window
    page = karin.get("/gaps").get_data(as_text=True)
    assert "zorbaxmetodik" in page and "2 kollegor" in page
    body = karin.get("/api/gaps", headers=bearer(base, "karin.sjoberg")).get_json()
    (gap,) = [g for g in body["gaps"] if "zorbaxmetodik" in g["question"]]
    assert gap["askers"] == 2 and sum(w["searches"] for w in gap["weeks"]) == gap["searches"]
    assert "johan" not in repr(gap) and "elin" not in repr(gap).replace("experts", "")


def test_the_closest_material_of_a_gap_is_only_what_the_coordinator_may_open(base, karin):
    for person in ("johan.lindqvist", "elin.forsberg"):
        base.upkeep.record_search(
            base.people.viewer(person), "plan för NPF-fortbildning våren 2027", 0
        )
    body = karin.get("/api/gaps", headers=bearer(base, "karin.sjoberg")).get_json()
    (gap,) = [g for g in body["gaps"] if "fortbildning" in g["question"]]
    assert PRIVATE not in repr(body)
    assert PRIVATE not in karin.get("/gaps").get_data(as_text=True)
    assert gap["material"], "the coordinator's own visible material is offered"


def test_a_coordinator_can_dismiss_a_gap(base, karin):
    for person in ("johan.lindqvist", "noah.berg"):
        base.upkeep.record_search(base.people.viewer(person), "fladdermusholkar", 0)
    (gap,) = [g for g in base.upkeep.search_gaps() if g.text == "fladdermusholkar"]
    page = karin.get("/gaps").get_data(as_text=True)
    karin.post(f"/gaps/{gap.id}/dismiss", data={"csrf_token": csrf_token(page)})
    assert all(g.text != "fladdermusholkar" for g in base.upkeep.search_gaps())


def test_a_hit_link_goes_through_the_click_through_and_the_search_is_then_no_gap(base, johan):
    before = pending(base)
    page = johan.get("/?q=boksamtal").get_data(as_text=True)
    assert pending(base) == before + 1
    link = re.search(r'href="(/hit/[0-9a-f]{32}/[^"]+)"', page).group(1)
    response = johan.get(link)
    assert response.status_code == 302 and "/doc/material/" in response.headers["Location"]
    assert pending(base) == before


def test_the_api_reports_a_click_on_a_hit_once(base):
    client = make_app(base).test_client()
    headers = bearer(base, "johan.lindqvist")
    body = client.get("/api/search?q=boksamtal", headers=headers).get_json()
    assert body["search_id"]
    url = f"/api/search/{body['search_id']}/click"
    assert client.post(url, headers=headers).get_json() == {"recorded": True}
    assert client.post(url, headers=headers).get_json() == {"recorded": False}


# ------------------------------------------------------------------ material requests
def test_an_empty_search_offers_to_ask_for_material_and_colleagues_see_the_request(
    base, johan, elin
):
    page = johan.get(f"/?q={NOTHING}").get_data(as_text=True)
    assert "Be om material" in page
    response = johan.post(
        "/requests", data={"question": "Zorbaxmetodik i åk 5", "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    assert "Zorbaxmetodik i åk 5" in elin.get("/requests").get_data(as_text=True)
    body = elin.get("/api/requests", headers=bearer(base, "elin.forsberg")).get_json()
    (asked,) = [r for r in body["requests"] if r["question"] == "Zorbaxmetodik i åk 5"]
    assert (asked["asked_by"]["id"], asked["votes"], asked["open"]) == ("johan.lindqvist", 1, True)


def test_a_colleague_votes_once_and_suggests_an_expert(base, elin):
    number = base.upkeep.ask_material(base.people.viewer("noah.berg"), "Rörelsepauser i matematik")
    page = elin.get("/requests").get_data(as_text=True)
    for _ in range(2):
        elin.post(f"/requests/{number}/vote", data={"csrf_token": csrf_token(page)})
    elin.post(
        f"/requests/{number}/experts",
        data={"csrf_token": csrf_token(page), "expert": "johan.lindqvist"},
    )
    (asked,) = [
        a
        for a in base.upkeep.material_requests(base.people.viewer("elin.forsberg"))
        if a.id == number
    ]
    assert asked.votes == ("noah.berg", "elin.forsberg")
    assert asked.experts == ("johan.lindqvist",)
    assert "Du har röstat" in elin.get("/requests").get_data(as_text=True)


def test_sharing_material_that_answers_a_request_closes_it_linked_both_ways(base, johan):
    number = base.upkeep.ask_material(base.people.viewer("noah.berg"), "Fågelholkar i tekniken")
    form = johan.get(f"/share?answers={number}").get_data(as_text=True)
    assert "Fågelholkar i tekniken" in form
    response = johan.post(
        f"/share?answers={number}",
        data={
            "csrf_token": csrf_token(form),
            "answers": str(number),
            "title": "Holkbygge åk 6",
            "language": "sv",
            "visibility": "all",
            "file": (io.BytesIO("# Holkbygge\n\nVi bygger fågelholkar.".encode()), "holk.md"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    source = response.headers["Location"].split("/doc/", 1)[1]
    (closed,) = [
        a for a in base.upkeep.material_requests(base.people.viewer("noah.berg")) if a.id == number
    ]
    assert closed.answer == source
    assert "Holkbygge åk 6" in johan.get("/requests").get_data(as_text=True)
    doc = johan.get(f"/doc/{source}").get_data(as_text=True)
    assert "Svarar på förfrågan" in doc and "Fågelholkar i tekniken" in doc


def test_the_requests_api_says_what_is_wrong_with_a_bad_call(base):
    client = make_app(base).test_client()
    headers = bearer(base, "elin.forsberg")
    assert client.post("/api/requests", headers=headers, json={}).status_code == 400
    assert client.post("/api/requests/99999/vote", headers=headers).status_code == 404
    made = client.post("/api/requests", headers=headers, json={"question": "Skolgårdsbingo"})
    assert made.status_code == 201
    url = f"/api/requests/{made.get_json()['id']}/experts"
    assert client.post(url, headers=headers, json={"expert": "nobody"}).status_code == 400


# ------------------------------------------------------------------ owners and review dates
def test_overdue_material_is_marked_on_its_page_and_in_search_results(base, elin):
    page = elin.get(f"/doc/{OLD}").get_data(as_text=True)
    assert "Behöver granskas" in page and "Johan Lindqvist" in page
    assert "Markera som granskad" not in page  # Elin does not own it
    results = elin.get("/api/search?q=micro:bit kom igång", headers=bearer(base, "elin.forsberg"))
    hit = next(h for h in results.get_json()["hits"] if h["source"] == OLD)
    assert hit["overdue"] is True
    assert "Behöver granskas" in elin.get("/?q=micro:bit kom igång").get_data(as_text=True)


def test_an_owner_sees_their_overdue_list_on_the_review_page_and_their_profile(base, johan):
    review = johan.get("/review").get_data(as_text=True)
    assert "Mitt att granska" in review and "Kom igång med micro:bit" in review
    body = johan.get("/api/review", headers=bearer(base, "johan.lindqvist")).get_json()
    assert OLD in [d["source"] for d in body["overdue"]] and body["unowned"] is None
    assert "Kom igång med micro:bit" in johan.get("/people/johan.lindqvist").get_data(as_text=True)


def test_only_an_owner_or_a_coordinator_may_mark_a_document_reviewed(base, app, elin):
    source = "material/programmering/microbit-stegraknare.md"
    url = f"/api/review/{source}"
    assert app.test_client().post(url, headers=bearer(base, "elin.forsberg")).status_code == 403
    page = elin.get("/review").get_data(as_text=True)
    assert elin.post(f"/review/{source}", data={"csrf_token": csrf_token(page)}).status_code == 403
    marked = app.test_client().post(url, headers=bearer(base, "johan.lindqvist")).get_json()
    assert (marked["reviewed"] is not None, marked["overdue"]) == (True, False)
    assert app.test_client().post(url, headers=bearer(base, "karin.sjoberg")).status_code == 200


def test_a_document_the_viewer_may_not_open_is_missing_on_every_review_route(base, app, johan):
    client = app.test_client()
    headers = bearer(base, "johan.lindqvist")
    assert client.get(f"/api/review/{PRIVATE}", headers=headers).status_code == 404
    assert client.post(f"/api/review/{PRIVATE}", headers=headers).status_code == 404
    assert (
        client.post(
            f"/api/owners/{PRIVATE}", headers=headers, json={"owners": ["johan.lindqvist"]}
        ).status_code
        == 404
    )
    page = johan.get("/review").get_data(as_text=True)
    assert (
        johan.post(f"/review/{PRIVATE}", data={"csrf_token": csrf_token(page)}).status_code == 404
    )


def test_an_owner_can_hand_a_document_to_a_colleague(base, app):
    source = "material/bedomning/exit-tickets-matematik-4-6.md"
    client = app.test_client()
    headers = bearer(base, "johan.lindqvist")
    bad = client.post(f"/api/owners/{source}", headers=headers, json={"owners": ["nobody"]})
    assert bad.status_code == 400
    body = client.post(
        f"/api/owners/{source}", headers=headers, json={"owners": ["elin.forsberg"]}
    ).get_json()
    assert [o["id"] for o in body["owners"]] == ["elin.forsberg"]
    assert (
        client.post(f"/api/owners/{source}", headers=headers, json={"owners": []}).status_code
        == 403
    )


def test_the_coordinator_sees_what_nobody_owns_and_what_a_leaver_would_leave_unowned(karin):
    risk = karin.get("/risk?leaving=johan.lindqvist").get_data(as_text=True)
    assert "Dokument som blir utan ägare" in risk and "Kom igång med micro:bit" in risk
    assert "Utan ägare" in karin.get("/review").get_data(as_text=True)


# ------------------------------------------------------------------ the command line
def test_the_command_line_shows_and_marks_reviews_and_lists_requests(cli, tmp_path):
    assert cli("ingest", str(SAMPLE_BUNDLE)).exit_code == 0
    shown = cli("review", OLD)
    assert "OVERDUE" in shown.output and "johan.lindqvist" in shown.output
    done = cli("review", OLD, "--done", "--as", "johan.lindqvist", "--json")
    assert '"overdue": false' in done.output
    refused = cli("review", OLD, "--done", "--as", "elin.forsberg")
    assert refused.exit_code != 0 and "owners or a coordinator" in refused.output
    asked = cli("requests", "--ask", "Schack i åk 2", "--as", "noah.berg")
    assert "Schack i åk 2" in asked.output
    not_coordinator = cli("gaps", "--as", "johan.lindqvist")
    assert not_coordinator.exit_code != 0 and "no coordinator" in not_coordinator.output
    assert "no search gaps" in cli("gaps").output
    assert f"would have no owner: {OLD}" in cli("risk", "--leaves", "johan.lindqvist").output
