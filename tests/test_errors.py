"""What kb says when it will not do something: one answer per refusal, on the API, the pages
and the command line (kb/errors.py, mapped in kb/web/errors.py and kb/commandline.py)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.features.share.queries import share_material
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import bearer, csrf_token, logged_in_client, make_app, open_kb

COORDINATOR = "karin.sjoberg"
COLLEAGUE = "johan.lindqvist"
BUNDLE_DOC = "material/hallbarhet/vattenprover-norrviksan.md"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    kb = open_kb(tmp_path_factory.mktemp("errors"), SAMPLE_BUNDLE)
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def upload(base) -> str:
    """A web upload of the colleague's: its author may change it, others may not."""
    return share_material(
        base, base.people.viewer(COLLEAGUE), "holkar.md", b"# Holkar\n\nText.", {}
    )


@pytest.fixture(scope="module")
def api(base):
    return make_app(base).test_client()


def call(api, base, person: str, method: str, url: str, **kwargs):
    response = api.open(url, method=method, headers=bearer(base, person), **kwargs)
    return response.status_code, response.get_json()


def run(base, *args: str) -> tuple[int, str]:
    folder = str(base.settings.instance_path)
    result = CliRunner().invoke(main, ["--instance", folder, *args])
    return result.exit_code, result.output.strip().splitlines()[-1]


def test_a_missing_document_is_not_found_with_its_name(api, base):
    answer = call(api, base, COORDINATOR, "POST", "/api/documents/nope.md/delete")
    assert answer == (404, {"error": "not found", "message": "no document 'nope.md'"})


def test_a_bundle_document_may_not_be_deleted_and_says_why(api, base):
    status, body = call(api, base, COORDINATOR, "POST", f"/api/documents/{BUNDLE_DOC}/delete")
    assert (status, body["error"], body["reason"]) == (403, "forbidden", "bundle")
    assert body["message"] == (
        f"{BUNDLE_DOC} comes from a bundle: remove it there and run kb ingest --prune"
    )


def test_someone_elses_upload_may_not_be_edited(api, base, upload):
    answer = call(api, base, "elin.forsberg", "POST", f"/api/documents/{upload}/edit", json={})
    assert answer == (
        403,
        {
            "error": "forbidden",
            "reason": "not_author",
            "message": "only its authors or a coordinator may change it",
        },
    )


def test_an_edit_kb_will_not_store_is_a_bad_request_with_its_reason(api, base, upload):
    url = f"/api/documents/{upload}/edit"
    status, body = call(api, base, COLLEAGUE, "POST", url, json={"visibility": "everyone?"})
    assert (status, body["error"], body["reason"]) == (400, "bad request", "visibility")


def test_a_missing_request_is_not_found(api, base):
    answer = call(api, base, COLLEAGUE, "POST", "/api/requests/999/vote")
    assert answer == (404, {"error": "not found", "message": "there is no request 999"})


def test_a_too_long_request_is_a_bad_request(api, base):
    answer = call(api, base, COLLEAGUE, "POST", "/api/requests", json={"question": "x" * 301})
    assert answer == (
        400,
        {
            "error": "bad request",
            "reason": "too_long",
            "message": "a request is at most 300 characters",
        },
    )


def test_owners_who_are_no_colleagues_are_a_bad_request(api, base):
    url = f"/api/owners/{BUNDLE_DOC}"
    status, body = call(api, base, COORDINATOR, "POST", url, json={"owners": ["nobody"]})
    assert (status, body) == (
        400,
        {
            "error": "bad request",
            "reason": "unknown_person",
            "message": "not colleagues with a profile: nobody",
        },
    )


def test_marking_a_document_one_does_not_own_is_forbidden(api, base):
    status, body = call(api, base, "noah.berg", "POST", f"/api/review/{BUNDLE_DOC}")
    assert (status, body["reason"]) == (403, "not_owner")


def test_an_unknown_newcomer_is_not_found_by_id(api, base):
    answer = call(api, base, COORDINATOR, "GET", "/api/mentors?newcomer=nobody")
    assert answer == (404, {"error": "not found", "message": "no person with id 'nobody'"})


def test_a_colleague_who_is_no_coordinator_is_told_only_forbidden(api, base):
    assert call(api, base, COLLEAGUE, "GET", "/api/risk") == (403, {"error": "forbidden"})


def test_a_query_parameter_the_api_needs_is_named(api, base):
    answer = call(api, base, COLLEAGUE, "GET", "/api/search")
    assert answer == (400, {"error": "bad request", "message": "q is required: what to search for"})


def test_a_page_of_a_missing_document_answers_the_not_found_page(base):
    response = logged_in_client(base, COLLEAGUE).get("/edit/nope.md")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_a_page_a_colleague_may_not_use_answers_the_forbidden_page(base):
    client = logged_in_client(base, COLLEAGUE)
    for url in ("/risk", f"/edit/{BUNDLE_DOC}"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Du har inte behörighet" in response.get_data(as_text=True), url


def test_marking_a_missing_document_reviewed_on_the_page_is_not_found(base):
    client = logged_in_client(base, COLLEAGUE)
    token = csrf_token(client.get("/review").get_data(as_text=True))
    assert client.post("/review/nope.md", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("review", "nope.md"), "Error: there is no document nope.md"),
        (("versions", "nope.md"), "Error: no document 'nope.md'"),
        (("delete", BUNDLE_DOC), f"Error: {BUNDLE_DOC} comes from a bundle: remove it there"),
        (("mentors", "nobody"), "Error: no person with id 'nobody'"),
        (("mentorship", "assign", "nobody", "noah.berg"), "Error: no person with id 'nobody'"),
        (("search", "holkar", "--as", "nobody"), "Error: no person with id 'nobody'"),
        (("token", "create", "nobody"), "Error: no person with id 'nobody'"),
        (("user", "invite", "nobody"), "Error: no person with id 'nobody'"),
        (("requests", "--vote", "999", "--as", COLLEAGUE), "Error: there is no request 999"),
        (("risk", "--as", COLLEAGUE), f"Error: {COLLEAGUE} is no coordinator: only coordinators"),
    ],
)
def test_the_command_line_says_a_refusal_in_one_line_and_exits_1(base, monkeypatch, args, said):
    monkeypatch.setenv("KB_EMBEDDER", "fake")
    code, last = run(base, *args)
    assert code == 1
    assert last.startswith(said)


def test_a_hidden_document_is_refused_exactly_like_a_missing_one(api, base):
    hidden = "material/privat/forsberg-npf-fortbildning-utkast.md"
    answer = call(api, base, COLLEAGUE, "POST", f"/api/documents/{hidden}/delete")
    assert answer == (404, {"error": "not found", "message": f"no document {hidden!r}"})


def test_an_unknown_learning_group_is_not_found_on_the_api_and_the_command_line(
    api, base, monkeypatch
):
    answer = call(api, base, COLLEAGUE, "GET", "/api/groups/nope")
    assert answer == (404, {"error": "not found", "message": "no learning group 'nope'"})
    monkeypatch.setenv("KB_EMBEDDER", "fake")
    assert run(base, "group", "nope") == (1, "Error: no learning group 'nope'")


def test_an_edit_that_is_no_json_object_is_a_bad_request(api, base, upload):
    url = f"/api/documents/{upload}/edit"
    answer = call(api, base, COLLEAGUE, "POST", url, json=["title"])
    assert answer == (
        400,
        {"error": "bad request", "message": "send the changed fields as a JSON object"},
    )


def test_a_restore_without_a_version_number_says_how_to_send_one(api, base, upload):
    url = f"/api/documents/{upload}/restore"
    answer = call(api, base, COLLEAGUE, "POST", url, json={"version": "1"})
    assert answer == (
        400,
        {"error": "bad request", "reason": "version", "message": 'send {"version": N}'},
    )


def test_a_weak_password_on_the_command_line_says_why(base, monkeypatch):
    monkeypatch.setenv("KB_EMBEDDER", "fake")
    code, last = run(base, "user", "set-password", COLLEAGUE, "--password", "kort")
    assert (code, last) == (1, "Error: the password is too weak: at least 10 characters")


def test_an_export_into_a_folder_in_use_says_so(base, monkeypatch, tmp_path):
    monkeypatch.setenv("KB_EMBEDDER", "fake")
    (tmp_path / "kept.txt").write_text("mine")
    code, last = run(base, "export", str(tmp_path))
    assert (code, last) == (1, f"Error: {tmp_path} is not empty; export into a new folder")


def test_suggesting_someone_who_is_no_colleague_on_the_page_is_a_bad_request(api, base):
    _, asked = call(api, base, COLLEAGUE, "POST", "/api/requests", json={"question": "Holkar?"})
    client = logged_in_client(base, COLLEAGUE)
    token = csrf_token(client.get("/requests").get_data(as_text=True))
    url = f"/requests/{asked['id']}/experts"
    response = client.post(url, data={"csrf_token": token, "expert": "nobody"})
    assert response.status_code == 400
    assert "Bad Request" in response.get_data(as_text=True)
