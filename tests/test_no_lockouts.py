"""No one is locked out: of a document by its owners, of a request's answers, of logging in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kb.models import Document
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import bearer, client_for, csrf_token, log_in, make_app, open_kb

PRIVATE = "material/privat/forsberg-npf-fortbildning-utkast.md"  # Elin's, only hers
PUBLIC = "material/bedomning/exit-tickets-matematik-4-6.md"  # Johan's, for everyone


@pytest.fixture
def base(tmp_path):
    kb = open_kb(tmp_path / "lockouts", SAMPLE_BUNDLE)
    yield kb
    kb.close()


@pytest.fixture
def app(base):
    return make_app(base)


def owner_ids(base, viewer_id, source):
    state = base.upkeep.freshness_of(base.people.viewer(viewer_id), [source])[source]
    return list(state.owners)


def post_owners(client, source, owners):
    page = client.get(f"/doc/{source}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "owners": owners}
    return client.post(f"/owners/{source}", data=data)


def test_a_document_is_never_handed_to_someone_who_may_not_open_it(base, app):
    client = app.test_client()
    response = client.post(
        f"/api/owners/{PRIVATE}",
        headers=bearer(base, "elin.forsberg"),
        json={"owners": ["johan.lindqvist"]},
    )
    assert response.status_code == 400
    assert response.get_json()["reason"] == "cannot_open"
    assert "johan.lindqvist may not open it" in response.get_json()["message"]
    assert owner_ids(base, "elin.forsberg", PRIVATE) == ["elin.forsberg"]


def test_the_web_offers_as_owners_only_colleagues_who_may_open_the_document(base, app):
    elin = client_for(app, base, "elin.forsberg")
    page = elin.get(f"/doc/{PRIVATE}").get_data(as_text=True)
    assert "Ändra ägare" in page
    assert 'value="elin.forsberg"' in page and 'value="johan.lindqvist"' not in page
    refused = post_owners(elin, PRIVATE, ["johan.lindqvist"])
    assert refused.status_code == 302
    assert "may not open it" in elin.get(refused.headers["Location"]).get_data(as_text=True)
    assert owner_ids(base, "elin.forsberg", PRIVATE) == ["elin.forsberg"]


def test_a_coordinator_can_fix_ownership_on_the_web(base, app):
    karin = client_for(app, base, "karin.sjoberg")  # a coordinator, not an owner
    page = karin.get(f"/doc/{PUBLIC}").get_data(as_text=True)
    assert "Ändra ägare" in page
    assert post_owners(karin, PUBLIC, ["elin.forsberg"]).status_code == 302
    assert owner_ids(base, "karin.sjoberg", PUBLIC) == ["elin.forsberg"]
    assert post_owners(karin, PUBLIC, []).status_code == 302  # back to its authors
    assert owner_ids(base, "karin.sjoberg", PUBLIC) == ["johan.lindqvist"]


def test_an_author_takes_back_a_document_handed_to_someone_who_cannot_open_it(base, app):
    # Handed over before kb refused that: written straight to the database.
    with base.db.write() as session:
        doc = session.scalar(select(Document).where(Document.source == PRIVATE))
        doc.owners = ["johan.lindqvist"]
    elin = client_for(app, base, "elin.forsberg")
    assert "Markera som granskad" in elin.get(f"/doc/{PRIVATE}").get_data(as_text=True)
    assert post_owners(elin, PRIVATE, []).status_code == 302
    assert owner_ids(base, "elin.forsberg", PRIVATE) == ["elin.forsberg"]


def test_a_request_keeps_every_answer_each_shown_to_who_may_open_it(base, app):
    number = base.upkeep.ask_material(
        base.people.viewer("noah.berg"), "Hur planerar vi NPF-fortbildning?"
    )
    base.upkeep.answer_request(base.people.viewer("elin.forsberg"), number, PRIVATE)
    client = app.test_client()

    def request_for(person):
        body = client.get("/api/requests", headers=bearer(base, person)).get_json()
        return next(r for r in body["requests"] if r["id"] == number)

    assert request_for("noah.berg")["open"]  # Elin's answer is not Noah's to see
    base.upkeep.answer_request(base.people.viewer("johan.lindqvist"), number, PUBLIC)
    elins = request_for("elin.forsberg")
    assert [a["source"] for a in elins["answers"]] == [PRIVATE, PUBLIC]
    noahs = request_for("noah.berg")
    assert not noahs["open"]
    assert [a["source"] for a in noahs["answers"]] == [PUBLIC]
    assert PRIVATE not in str(noahs)
    page = client_for(app, base, "elin.forsberg").get("/requests").get_data(as_text=True)
    assert "Utkast: plan för NPF-fortbildning" in page and "Exit tickets" in page


def test_a_whole_school_behind_one_address_logs_in_whatever_the_address_limit(base):
    app = make_app(base, RATELIMIT_ENABLED=True, LOGIN_ADDRESS_LIMIT="3/minute")
    people = ["karin.sjoberg", "johan.lindqvist", "elin.forsberg", "noah.berg"] * 3
    codes = [log_in(app.test_client(), base, p, set_password=False).status_code for p in people]
    assert codes == [302] * len(people)


def test_guessing_one_account_waits_longer_the_more_it_has_failed(base):
    app = make_app(base, RATELIMIT_ENABLED=True)
    throttle = app.extensions["kb_login_throttle"]
    waits = []
    for _ in range(5):
        for _ in range(10):
            throttle.failed("karin.sjoberg", "10.0.0.7")
        waits.append(throttle.wait_for("karin.sjoberg"))
    assert waits == [1.0, 2.0, 3.0, 4.0, 5.0]
    for _ in range(500):
        throttle.failed("karin.sjoberg", "10.0.0.7")
    assert throttle.wait_for("karin.sjoberg") == 10.0
    assert not throttle.slowed("johan.lindqvist", "10.0.0.8")
