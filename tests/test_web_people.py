"""People: the directory, profiles with visible evidence, and editing only one's own profile."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kb import accounts
from kb.models import Person, Skill
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import (
    PASSWORD,
    csrf_token,
    logged_in_client,
    post_form,
)


def test_the_directory_lists_colleagues_by_unit(client):
    html = client.get("/people").get_data(as_text=True)
    assert "Ängsskolan</h2>" in html
    assert '<a href="/people/amira.haddad">Amira Haddad</a>' in html


def test_a_profile_shows_declared_skills_with_their_level(client):
    html = client.get("/people/karin.sjoberg").get_data(as_text=True)
    assert "formativ bedömning med exit tickets" in html
    assert "5 av 5" in html


def test_a_profile_shows_the_evidence_and_the_groups_of_the_colleague(client):
    html = client.get("/people/karin.sjoberg").get_data(as_text=True)
    assert "/doc/material/bedomning/exit-tickets-guide.md" in html
    assert "/doc/reflections/2024-10-09-bedomningsgruppen.md" in html
    assert "Bedömningsgruppen Ängsskolan" in html


def test_a_profile_shows_only_the_evidence_the_viewer_may_see(shared_kb, client):
    draft = "material/privat/forsberg-npf-fortbildning-utkast.md"
    assert draft not in client.get("/people/elin.forsberg").get_data(as_text=True)
    own = logged_in_client(shared_kb, "elin.forsberg").get("/people/elin.forsberg")
    assert draft in own.get_data(as_text=True)


def test_an_unknown_colleague_is_404(client):
    assert client.get("/people/nobody.at.all").status_code == 404


def test_a_colleague_sees_an_edit_link_only_on_their_own_profile(client):
    assert "/people/karin.sjoberg/edit" in client.get("/people/karin.sjoberg").get_data(
        as_text=True
    )
    assert "/edit" not in client.get("/people/amira.haddad").get_data(as_text=True)


def test_a_colleague_edits_their_own_profile_and_skills(make_kb):
    base = make_kb("own-profile")
    base.documents.ingest(SAMPLE_BUNDLE)
    accounts.set_password(base, "johan.lindqvist", PASSWORD)
    client = logged_in_client(base, "johan.lindqvist")
    response = post_form(
        client,
        "/people/johan.lindqvist/edit",
        {
            "role": "Lärare i matematik och teknik",
            "subjects": "matematik, teknik, fysik",
            "grades": "4-6",
            "languages": "svenska",
            "skill_name": ["schack", "micro:bit", "nyfiken", ""],
            "skill_level": ["4", "5", "3", "2"],
            "mentor": "y",
            "mentor_capacity": "2",
            "bio": "Ny text.",
        },
    )
    assert response.status_code == 302
    with base.db.read() as session:
        person = session.get(Person, "johan.lindqvist")
        assert person.subjects == ["matematik", "teknik", "fysik"]
        assert [(s.name, s.level) for s in person.skills] == [
            ("schack", 4),
            ("micro:bit", 5),
            ("nyfiken", 3),
        ]
        assert person.mentor_capacity == 2 and person.bio == "Ny text."
    assert "Din profil är sparad" in client.get("/people/johan.lindqvist").get_data(as_text=True)


def test_a_colleague_cannot_edit_someone_elses_profile(shared_kb, client):
    assert client.get("/people/amira.haddad/edit").status_code == 403
    page = client.get("/people/karin.sjoberg/edit").get_data(as_text=True)
    response = client.post(
        "/people/amira.haddad/edit",
        data={"csrf_token": csrf_token(page), "role": "Hackad", "skills": "allt: 5"},
    )
    assert response.status_code == 403
    with shared_kb.db.read() as session:
        assert session.get(Person, "amira.haddad").role != "Hackad"
        assert (
            "allt"
            not in session.scalars(
                select(Skill.name).where(Skill.person_id == "amira.haddad")
            ).all()
        )


def test_the_service_refuses_to_edit_another_colleagues_profile(shared_kb):
    with pytest.raises(PermissionError):
        accounts.update_profile(
            shared_kb, shared_kb.people.viewer("karin.sjoberg"), "amira.haddad", {"role": "Hackad"}
        )
