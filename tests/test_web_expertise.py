"""Who knows about X, mentors for new colleagues, and knowledge risk, over the real facade."""

from __future__ import annotations

import re

import pytest

from kb import accounts
from kb.features.experts.payload import experts_payload
from kb.features.experts.queries import experts
from kb.features.mentors.queries import match_mentors, mentors, newcomers
from kb.features.risk.payload import risk_payload
from kb.features.risk.queries import risk_answer
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import logged_in_client, make_app, open_kb

DRAFT = "material/privat/forsberg-npf-fortbildning-utkast.md"


@pytest.fixture(scope="module")
def shared_kb(tmp_path_factory):
    base = open_kb(tmp_path_factory.mktemp("expertise"), SAMPLE_BUNDLE)
    accounts.set_coordinator(base, "karin.sjoberg")
    yield base
    base.close()


def test_the_expert_page_lists_colleagues_with_their_evidence(client):
    html = client.get("/experts?q=schack").get_data(as_text=True)
    first = re.search(r'<h3><a href="/people/([^"]+)">', html).group(1)
    assert first == "dragan.petrovic"
    assert "/doc/material/schack/schack-i-matematiken.pdf" in html
    assert "schack som pedagogiskt verktyg" in html


def test_expert_evidence_never_names_a_document_the_viewer_may_not_open(shared_kb):
    viewer = shared_kb.people.viewer("karin.sjoberg")
    page = experts_payload("NPF", experts(shared_kb, viewer, "NPF fortbildning anpassningar"))
    sources = {e["source"] for x in page["experts"] for e in x["evidence"]}
    assert sources and DRAFT not in sources


def test_the_expert_page_without_a_question_only_shows_the_form(client):
    html = client.get("/experts").get_data(as_text=True)
    assert 'id="q"' in html and "Ingen hittades" not in html


def test_mentor_suggestions_come_with_their_reasons(client):
    html = client.get("/newcomers?newcomer=noah.berg").get_data(as_text=True)
    assert "Mentorer för Noah Berg" in html
    assert '<a href="/people/johan.lindqvist">Johan Lindqvist</a>' in html
    assert '<li lang="sv">arbetar också på Ängsskolan</li>' in html


def test_a_newcomer_sees_their_own_suggestions_at_once(shared_kb):
    html = logged_in_client(shared_kb, "noah.berg").get("/newcomers").get_data(as_text=True)
    assert "Mentorer för Noah Berg" in html


def test_only_a_coordinator_sees_the_matching_of_all_newcomers(shared_kb, client):
    html = client.get("/newcomers/matching").get_data(as_text=True)
    for name in ("Noah Berg", "Leila Karimi", "Elsa Johansson"):
        assert name in html
    assert (
        logged_in_client(shared_kb, "johan.lindqvist").get("/newcomers/matching").status_code == 403
    )


def test_only_a_coordinator_is_offered_the_matching(shared_kb, client):
    assert "/newcomers/matching" in client.get("/newcomers").get_data(as_text=True)
    other = logged_in_client(shared_kb, "johan.lindqvist").get("/newcomers").get_data(as_text=True)
    assert "/newcomers/matching" not in other


def test_the_risk_page_draws_a_chart_beside_a_data_table(shared_kb, client):
    topics = risk_payload(risk_answer(shared_kb, shared_kb.people.viewer("karin.sjoberg")))[
        "topics"
    ]
    html = client.get("/risk").get_data(as_text=True)
    assert re.search(r'<ul class="bars" aria-labelledby="chart-heading"', html)
    assert '<table class="data stack-table">' in html and "<caption" in html
    assert "schack som pedagogiskt verktyg" in html
    assert f"av {len(topics)} områden bärs av en enda person" in html


def test_topics_held_by_one_person_are_listed_before_shared_ones(shared_kb):
    topics = risk_payload(risk_answer(shared_kb, shared_kb.people.viewer("karin.sjoberg")))[
        "topics"
    ]
    singles = [t["single_holder"] for t in topics]
    assert singles == sorted(singles, reverse=True)
    assert all(len(t["holders"]) == 1 for t in topics if t["single_holder"])


def test_what_if_someone_leaves_shows_what_goes_with_them(client):
    html = client.get("/risk?leaving=dragan.petrovic").get_data(as_text=True)
    section = html.split('id="whatif-heading"', 1)[1]
    assert "Om Dragan Petrović slutar" in section
    assert "schack som pedagogiskt verktyg" in section
    assert "kunskapen försvinner" in section


def test_what_if_an_unknown_person_leaves_is_ignored(client):
    response = client.get("/risk?leaving=nobody")
    assert response.status_code == 200
    assert "slutar</h3>" not in response.get_data(as_text=True)


def test_every_reason_the_expertise_gives_is_shown_in_swedish(shared_kb):
    from kb.web.i18n import explain

    viewer = shared_kb.people.viewer("karin.sjoberg")
    reasons = [
        r for n in newcomers(shared_kb) for m in mentors(shared_kb, viewer, n) for r in m.reasons
    ]
    reasons += [r for m in match_mentors(shared_kb, viewer) for r in m.reasons]
    for question in ("schack", "exit tickets", "läsfrämjande", "NPF", "micro:bit"):
        for expert in experts(shared_kb, viewer, question):
            reasons += [e.why for e in expert.evidence] + [s.why for s in expert.skills]
            reasons += [e.about for e in expert.evidence if e.about]
    assert reasons
    with make_app(shared_kb).test_request_context("/"):
        untranslated = sorted({r for r in reasons if explain(r)["lang"] != "sv"})
    assert untranslated == []


def test_every_reason_code_has_a_swedish_wording(shared_kb):
    from kb.expertise.reasons import ENGLISH, Reason
    from kb.web.i18n import explain

    sample = {
        "title": "T",
        "name": "N",
        "level": 3,
        "subjects": "S",
        "unit": "U",
        "grades": "4-6",
        "terms": "X",
        "role": "R",
        "stage": "7-9",
        "num": 2,
        "year": 2010,
    }
    with make_app(shared_kb).test_request_context("/"):
        for code, english in ENGLISH.items():
            values = {k: v for k, v in sample.items() if "{" + k + "}" in english}
            shown = explain(Reason(code, **values))
            assert shown["lang"] == "sv" and shown["text"] != str(Reason(code, **values)), code


def test_an_unknown_reason_is_shown_as_it_is_and_marked_english(shared_kb):
    from kb.web.i18n import explain

    with make_app(shared_kb).test_request_context("/"):
        assert explain("knows a secret handshake") == {
            "text": "knows a secret handshake",
            "lang": "en",
        }
