"""The newcomers page tells a newcomer's mentorship as it is: the mentor first, no offer to
switch to the mentor they already have, since when, and ending only after a confirmation."""

from __future__ import annotations

import re

import pytest

from kb.features.mentors.queries import running
from tests.conftest import DEMO_BUNDLE
from tests.helpers import csrf_token, logged_in_client, open_kb

DAY = "2026-11-20"


@pytest.fixture()
def demo(tmp_path):
    base = open_kb(tmp_path, DEMO_BUNDLE, people=("lena.holmberg", "amir.rahimi"), today=DAY)
    yield base
    base.close()


def text(html: str) -> str:
    main = html[html.find("<main") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_no_switch_is_offered_to_the_mentor_the_newcomer_already_has(demo):
    page = logged_in_client(demo, "lena.holmberg").get("/newcomers?newcomer=elias.forsman")
    html = page.get_data(as_text=True)
    assert "Maria Sandberg som mentor" in text(html)  # "har redan Maria Sandberg som mentor"
    assert "Byt till Maria Sandberg" not in html


def test_a_newcomer_with_a_mentor_sees_that_mentor_before_any_other_suggestion(demo):
    words = text(logged_in_client(demo, "amir.rahimi").get("/newcomers").get_data(as_text=True))
    said = words.index("har redan Lena Holmberg som mentor")
    assert said < words.index("Petra Wallin")
    assert words.index("Andra möjliga mentorer") > said


def test_mentorships_from_the_bundle_say_since_when(demo):
    assert all(r.since is not None for r in running(demo))
    amir = next(r for r in running(demo) if r.mentee_id == "amir.rahimi")
    assert amir.since.isoformat() <= DAY


def test_ending_a_mentorship_asks_first_and_keeps_it_until_confirmed(demo):
    client = logged_in_client(demo, "lena.holmberg")
    page = client.get("/newcomers?newcomer=elias.forsman").get_data(as_text=True)
    assert 'action="/mentorships/end"' not in page  # no one-click end on the list
    ask = client.get("/mentorships/end?newcomer=elias.forsman").get_data(as_text=True)
    assert "Avsluta mentorskapet?" in ask and "Nej, behåll det" in ask
    assert ("maria.sandberg", "elias.forsman") in {
        (r.mentor_id, r.mentee_id) for r in running(demo)
    }
    client.post(
        "/mentorships/end", data={"csrf_token": csrf_token(ask), "newcomer": "elias.forsman"}
    )
    assert "elias.forsman" not in {r.mentee_id for r in running(demo)}
