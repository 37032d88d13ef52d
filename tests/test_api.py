"""The JSON API of kb-contract.md: tokens, 401s, health and search."""

from __future__ import annotations

import pytest

from kb.app import create_app
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import bearer


@pytest.fixture
def app(kb):
    return create_app({"INSTANCE": str(kb.settings.instance_path), "KB": kb, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def test_health_answers_ok_without_a_token(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    # The contract's {"status": "ok"}, whether the indexer is working right now and whether
    # a search still waits for the models and the noise.
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["indexer"] in ("idle", "busy")
    assert body["search"] in ("ready", "warming")


def test_health_says_the_search_is_ready_once_it_has_warmed_up(kb):
    from kb.app import create_app

    client = create_app({"KB": kb, "BACKGROUND_INDEXING": False}).test_client()
    kb.finder.warm_up().join(120)
    assert client.get("/api/health").get_json()["search"] == "ready"


@pytest.mark.parametrize(
    "route",
    [
        "/api/search?q=boksamtal",
        "/api/experts?q=schack",
        "/api/mentors?newcomer=noah.berg",
        "/api/risk",
    ],
)
def test_every_api_route_but_health_answers_401_without_a_valid_token(client, route):
    assert client.get(route).status_code == 401
    assert client.get(route, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_revoked_token_no_longer_opens_the_api(kb, client):
    headers = bearer(kb, "karin.sjoberg")
    assert client.get("/api/search?q=schack", headers=headers).status_code == 200
    kb.people.revoke_tokens(person_id="karin.sjoberg")
    assert client.get("/api/search?q=schack", headers=headers).status_code == 401


def test_tokens_are_stored_only_as_hashes(kb):
    from sqlalchemy import select

    from kb.models import ApiToken

    token = kb.people.create_token("karin.sjoberg")
    with kb.db.read() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored


def test_search_answers_hits_with_the_contract_fields(kb, client):
    response = client.get("/api/search?q=schack&limit=3", headers=bearer(kb, "karin.sjoberg"))
    hits = response.get_json()["hits"]
    assert 1 <= len(hits) <= 3
    assert {"source", "title", "kind", "score", "snippet"} <= set(hits[0])
    assert hits[0]["source"].startswith("material/schack/")


def test_search_without_q_is_a_400_with_a_message(kb, client):
    response = client.get("/api/search", headers=bearer(kb, "karin.sjoberg"))
    assert response.status_code == 400
    assert "q is required" in response.get_json()["message"]


def test_a_limit_that_is_not_a_number_is_a_400_with_a_message(kb, client):
    response = client.get("/api/search?q=x&limit=many", headers=bearer(kb, "karin.sjoberg"))
    assert response.status_code == 400
    assert "limit" in response.get_json()["message"]


def test_token_create_prints_the_token_alone_on_the_last_line(cli):
    cli("ingest", str(SAMPLE_BUNDLE))
    result = cli("token", "create", "karin.sjoberg")
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("kb_") and " " not in last


def test_token_create_for_an_unknown_person_fails_clearly(cli):
    cli("ingest", str(SAMPLE_BUNDLE))
    result = cli("token", "create", "nobody")
    assert result.exit_code != 0
    assert "no person with id 'nobody'" in result.output


def test_a_token_never_appears_in_the_logs(kb, client, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    token = kb.people.create_token("karin.sjoberg")
    client.get("/api/search?q=schack", headers={"Authorization": f"Bearer {token}"})
    client.get("/api/search?q=schack", headers={"Authorization": f"Bearer {token}x"})
    assert token not in caplog.text


def test_revoking_from_the_command_line_ends_the_token(cli, tmp_path):
    from kb.config import load_settings
    from kb.service import KnowledgeBase

    cli("ingest", str(SAMPLE_BUNDLE))
    token = cli("token", "create", "karin.sjoberg").output.strip().splitlines()[-1]
    assert "revoked 1 token" in cli("token", "revoke", "karin.sjoberg").output
    kb = KnowledgeBase(load_settings(tmp_path / "cli-instance", embedder="fake"))
    assert kb.people.viewer_for_token(token) is None
    kb.close()
