"""Only coordinators see knowledge risk, "what if X leaves" and the matching of all newcomers,
and only they assign, change and end mentorships; everyone sees their own mentor suggestions."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import csrf_token, logged_in_client, make_app, open_kb

COORDINATOR = "karin.sjoberg"  # coordinator: true in the sample bundle
COLLEAGUE = "johan.lindqvist"
NEWCOMER = "noah.berg"

COORDINATOR_PAGES = ("/risk", "/risk?leaving=dragan.petrovic", "/newcomers/matching")
COORDINATOR_ROUTES = (
    "/api/risk",
    "/api/risk?leaves=dragan.petrovic",
    "/api/mentors/matching",
    "/api/mentors?newcomer=leila.karimi",
)


@pytest.fixture(scope="module")
def shared_kb(tmp_path_factory):
    base = open_kb(tmp_path_factory.mktemp("coordinators"), SAMPLE_BUNDLE)
    yield base
    base.close()


@pytest.fixture
def kb(tmp_path):
    """A knowledge base of its own, for tests that change mentorships."""
    base = open_kb(tmp_path, SAMPLE_BUNDLE)
    yield base
    base.close()


def api_get(kb, person, route):
    client = make_app(kb).test_client()
    return client.get(route, headers={"Authorization": f"Bearer {kb.people.create_token(person)}"})


@pytest.mark.parametrize("route", COORDINATOR_PAGES)
def test_a_colleague_who_is_no_coordinator_gets_403_on_the_page(shared_kb, route):
    response = logged_in_client(shared_kb, COLLEAGUE).get(route)
    assert response.status_code == 403


@pytest.mark.parametrize("route", COORDINATOR_PAGES)
def test_a_coordinator_sees_the_page(shared_kb, route):
    assert logged_in_client(shared_kb, COORDINATOR).get(route).status_code == 200


@pytest.mark.parametrize("route", COORDINATOR_ROUTES)
def test_a_token_of_someone_who_is_no_coordinator_gets_403_from_the_api(shared_kb, route):
    response = api_get(shared_kb, COLLEAGUE, route)
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"


@pytest.mark.parametrize("route", COORDINATOR_ROUTES)
def test_a_coordinators_token_gets_the_answer(shared_kb, route):
    assert api_get(shared_kb, COORDINATOR, route).status_code == 200


def test_a_newcomer_gets_their_own_mentor_suggestions_from_the_api(shared_kb):
    response = api_get(shared_kb, NEWCOMER, f"/api/mentors?newcomer={NEWCOMER}")
    assert response.status_code == 200
    assert response.get_json()["mentors"][0]["id"] == "johan.lindqvist"


def test_a_newcomer_sees_only_their_own_suggestions_on_the_page(shared_kb):
    client = logged_in_client(shared_kb, NEWCOMER)
    html = client.get("/newcomers?newcomer=leila.karimi").get_data(as_text=True)
    assert "Leila Karimi" not in html
    assert "Mentorer för Noah Berg" in client.get("/newcomers").get_data(as_text=True)


def test_the_risk_link_is_only_offered_to_coordinators(shared_kb):
    colleague = logged_in_client(shared_kb, COLLEAGUE).get("/").get_data(as_text=True)
    coordinator = logged_in_client(shared_kb, COORDINATOR).get("/").get_data(as_text=True)
    assert 'href="/risk"' in coordinator and 'href="/risk"' not in colleague


# ------------------------------------------------------------------ mentorships on the page
def assign_on_page(client, newcomer, mentor):
    page = client.get(f"/newcomers?newcomer={newcomer}").get_data(as_text=True)
    return client.post(
        "/mentorships",
        data={"csrf_token": csrf_token(page), "newcomer": newcomer, "mentor": mentor},
    )


def test_a_coordinator_assigns_a_mentor_and_both_profiles_show_it(kb):
    client = logged_in_client(kb, COORDINATOR)
    assert assign_on_page(client, NEWCOMER, "johan.lindqvist").status_code == 302
    mentor = client.get("/people/johan.lindqvist").get_data(as_text=True)
    newcomer = client.get(f"/people/{NEWCOMER}").get_data(as_text=True)
    assert "Mentor för" in mentor and f'href="/people/{NEWCOMER}"' in mentor
    assert "Har som mentor" in newcomer and 'href="/people/johan.lindqvist"' in newcomer


def test_the_newcomer_page_says_who_is_already_matched(kb):
    client = logged_in_client(kb, COORDINATOR)
    assign_on_page(client, NEWCOMER, "johan.lindqvist")
    html = client.get(f"/newcomers?newcomer={NEWCOMER}").get_data(as_text=True)
    assert "Noah Berg har redan Johan Lindqvist som mentor." in html


def test_an_assigned_mentorship_takes_a_place_and_a_full_mentor_is_no_longer_suggested(kb):
    from kb.features.mentors.queries import mentors

    client = logged_in_client(kb, COORDINATOR)
    assign_on_page(client, NEWCOMER, "johan.lindqvist")  # Johan has one place
    viewer = kb.people.viewer(COORDINATOR)
    assert "johan.lindqvist" not in [m.person_id for m in mentors(kb, viewer, "elsa.johansson")]


def test_a_coordinator_changes_and_ends_a_mentorship(kb):
    from kb.features.mentors.queries import running

    client = logged_in_client(kb, COORDINATOR)
    assign_on_page(client, NEWCOMER, "johan.lindqvist")
    assign_on_page(client, NEWCOMER, "dragan.petrovic")
    assert [(r.mentor_id, r.mentee_id) for r in running(kb)] == [("dragan.petrovic", NEWCOMER)]
    page = client.get(f"/newcomers?newcomer={NEWCOMER}").get_data(as_text=True)
    client.post("/mentorships/end", data={"csrf_token": csrf_token(page), "newcomer": NEWCOMER})
    assert running(kb) == []


def test_someone_who_has_not_offered_to_mentor_cannot_be_assigned(kb):
    from kb.features.mentors.queries import running

    client = logged_in_client(kb, COORDINATOR)
    response = assign_on_page(client, "leila.karimi", "hanna.berglund")
    assert response.status_code == 302 and running(kb) == []
    html = client.get("/newcomers?newcomer=leila.karimi").get_data(as_text=True)
    assert "har inte erbjudit sig att vara mentor" in html


def test_a_colleague_who_is_no_coordinator_cannot_assign_a_mentor(kb):
    from kb.features.mentors.queries import running

    client = logged_in_client(kb, NEWCOMER)
    page = client.get("/newcomers").get_data(as_text=True)
    response = client.post(
        "/mentorships",
        data={"csrf_token": csrf_token(page), "newcomer": NEWCOMER, "mentor": "johan.lindqvist"},
    )
    assert response.status_code == 403 and running(kb) == []


# ------------------------------------------------------------------ the command line
def test_the_command_line_assigns_lists_and_ends_mentorships(cli, tmp_path):
    assert cli("ingest", str(SAMPLE_BUNDLE)).exit_code == 0
    made = cli("mentorship", "assign", "johan.lindqvist", NEWCOMER)
    assert made.exit_code == 0 and "Johan Lindqvist now mentors Noah Berg" in made.output
    listed = cli("mentorship", "list")
    assert "Johan Lindqvist (johan.lindqvist) mentors Noah Berg (noah.berg)" in listed.output
    assert "has ended" in cli("mentorship", "end", NEWCOMER).output
    assert "no running mentorships" in cli("mentorship", "list").output


def test_the_command_line_refuses_a_mentor_without_room(cli):
    cli("ingest", str(SAMPLE_BUNDLE))
    refused = cli("mentorship", "assign", "mikael.strand", NEWCOMER)
    assert refused.exit_code != 0 and "no mentoring capacity left" in refused.output


def test_a_coordinator_set_on_the_command_line_may_then_see_risk(cli, tmp_path):
    cli("ingest", str(SAMPLE_BUNDLE))
    assert cli("risk", "--as", COLLEAGUE).exit_code != 0
    cli("user", "coordinator", COLLEAGUE)
    assert cli("risk", "--as", COLLEAGUE).exit_code == 0
