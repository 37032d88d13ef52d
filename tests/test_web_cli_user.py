"""`kb user …`: set passwords, print invitation links, name coordinators."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from kb import accounts
from kb.cli import main
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import csrf_token, make_app


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_EMBEDDER", "fake")
    instance = tmp_path / "cli-instance"

    def invoke(*args: str):
        return CliRunner().invoke(
            main, ["--instance", str(instance), *args], catch_exceptions=False
        )

    invoke("ingest", str(SAMPLE_BUNDLE))
    invoke.instance = instance
    return invoke


def open_instance(instance):
    from kb.config import load_settings
    from kb.search.model.embed import FakeEmbedder
    from kb.service import KnowledgeBase

    return KnowledgeBase(load_settings(instance, embedder="fake"), embedder=FakeEmbedder())


def test_user_set_password_lets_the_colleague_log_in(run):
    result = run("user", "set-password", "karin.sjoberg", "--password", "ett-långt-lösenord")
    assert result.exit_code == 0, result.output
    kb = open_instance(run.instance)
    try:
        assert accounts.check_login(kb, "karin.sjoberg", "ett-långt-lösenord") is not None
    finally:
        kb.close()


def test_user_set_password_refuses_a_short_password(run):
    result = CliRunner().invoke(
        main,
        [
            "--instance",
            str(run.instance),
            "user",
            "set-password",
            "karin.sjoberg",
            "--password",
            "kort",
        ],
    )
    assert result.exit_code != 0
    assert "too weak" in result.output


def test_user_commands_fail_clearly_for_an_unknown_person(run):
    for args in (
        ["set-password", "nobody", "--password", "ett-långt-lösenord"],
        ["invite", "nobody"],
        ["coordinator", "nobody"],
    ):
        result = CliRunner().invoke(main, ["--instance", str(run.instance), "user", *args])
        assert result.exit_code != 0
        assert "no person with id 'nobody'" in result.output


def test_user_invite_prints_a_link_the_app_accepts(run):
    result = run("user", "invite", "amira.haddad", "--base-url", "https://kb.skolan.se/")
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("https://kb.skolan.se/welcome/")
    kb = open_instance(run.instance)
    try:
        # The app and the command line share the instance's secret key.
        client = make_app(kb, SECRET_KEY=None).test_client()
        path = re.sub(r"^https://kb.skolan.se", "", link)
        page = client.get(path)
        assert page.status_code == 200
        response = client.post(
            path,
            data={
                "password": "amiras-nya-lösenord",
                "repeat": "amiras-nya-lösenord",
                "csrf_token": csrf_token(page.get_data(as_text=True)),
            },
        )
        assert response.status_code == 302
    finally:
        kb.close()


def test_user_coordinator_gives_and_takes_the_role(run):
    run("user", "coordinator", "johan.lindqvist")
    kb = open_instance(run.instance)
    try:
        assert accounts.account(kb, "johan.lindqvist").is_coordinator
    finally:
        kb.close()
    run("user", "coordinator", "johan.lindqvist", "--off")
    kb = open_instance(run.instance)
    try:
        assert not accounts.account(kb, "johan.lindqvist").is_coordinator
    finally:
        kb.close()


def test_taking_the_role_away_by_hand_says_when_the_identity_provider_still_gives_it(run):
    from kb.models import Person

    kb = open_instance(run.instance)
    try:
        with kb.db.write() as session:
            session.get(Person, "johan.lindqvist").idp_coordinator = True
    finally:
        kb.close()
    result = run("user", "coordinator", "johan.lindqvist", "--off")
    assert "keeps the coordinator role the identity provider gives" in result.output
