"""The leak suite: colleagues × units × all/unit/private documents, every surface checked.

A generated bundle gives every colleague one document of each visibility, all about the same
subject, each carrying a marker word unique to it. For every viewer, every surface must show
exactly what the visibility rules allow and no marker of anything else.
"""

from __future__ import annotations

import itertools
import json
import re

import pytest

from kb.access import Viewer
from kb.catalog import Filters
from kb.features.experts.queries import experts
from kb.features.risk.queries import risk
from kb.features.search.payload import search_payload
from kb.features.search.queries import search
from kb.search.query.hybrid import METHODS, SearchRequest
from tests.helpers import log_in, make_app

UNITS = ("Alfaskolan", "Betaskolan", "Biblioteket")
PEOPLE = [f"{unit[:4].lower()}.{n}" for unit in UNITS for n in (1, 2)]
UNIT_OF = {p: next(u for u in UNITS if u[:4].lower() == p.split(".")[0]) for p in PEOPLE}
VISIBILITIES = ("all", "unit", "private")
OUTSIDER = "utan.enhet"
QUESTION = "kollegialt lärande med zebrametoden"


def source_of(author: str, visibility: str) -> str:
    return f"material/{author}/{visibility}.md"


def marker(author: str, visibility: str) -> str:
    return f"markör{author.replace('.', '')}{visibility}"


def may_see(viewer: str, author: str, visibility: str) -> bool:
    """The rule, written independently of kb: all; unit = the author's unit; private = author."""
    if visibility == "all" or viewer == author:
        return True
    return visibility == "unit" and UNIT_OF.get(viewer) == UNIT_OF[author]


DOCS = [(a, v) for a, v in itertools.product(PEOPLE, VISIBILITIES)]


def write_matrix(bundle):
    """Write the generated bundle: one document of each visibility per colleague."""
    import yaml

    people = [
        {
            "id": p,
            "name": p.replace(".", " ").title(),
            "unit": UNIT_OF[p],
            "skills": [{"name": "zebrametoden", "level": 4}],
            # Everyone may ask for knowledge risk here: it must still show only what each may open.
            "coordinator": True,
        }
        for p in PEOPLE
    ]
    people.append({"id": OUTSIDER, "name": "Utan Enhet", "coordinator": True})
    bundle.mkdir()
    (bundle / "people.yaml").write_text(yaml.safe_dump(people, allow_unicode=True))
    for author, visibility in DOCS:
        path = bundle / source_of(author, visibility)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "title": f"Zebrametoden {marker(author, visibility)}",
            "authors": [author],
            "visibility": visibility,
            "tags": ["zebrametoden", marker(author, visibility)],
            "subjects": [f"ämne{marker(author, visibility)}"],
            "language": "sv",
        }
        path.write_text(
            f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n\n"
            f"Kollegialt lärande med zebrametoden. {marker(author, visibility)} "
            "beskriver hur vi arbetade i arbetslaget.\n",
            encoding="utf-8",
        )
    return bundle


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A knowledge base with the generated matrix, an app and every viewer's expectations."""
    from kb.config import load_settings
    from kb.search.model.embed import FakeEmbedder
    from kb.search.model.sparse import FakeSparseEncoder
    from kb.service import KnowledgeBase

    root = tmp_path_factory.mktemp("leaks")
    bundle = write_matrix(root / "bundle")
    kb = KnowledgeBase(
        load_settings(root / "instance", embedder="fake"),
        embedder=FakeEmbedder(),
        sparse_encoder=FakeSparseEncoder(),
    )
    report = kb.documents.ingest(bundle)
    assert report.problems == [] and report.material.added == len(DOCS)
    # A search gap two colleagues ran into, and one request answered by each document.
    for person in PEOPLE[:2]:
        kb.upkeep.record_search(kb.people.viewer(person), QUESTION, 0)
    for author, visibility in DOCS:
        number = kb.upkeep.ask_material(kb.people.viewer(PEOPLE[0]), "Något om zebrametoden")
        kb.upkeep.answer_request(Viewer.system(), number, source_of(author, visibility))
    app = make_app(kb)
    yield kb, app
    kb.close()


VIEWERS = [*PEOPLE, OUTSIDER]


def expected(viewer: str) -> set[str]:
    return {source_of(a, v) for a, v in DOCS if may_see(viewer, a, v)}


def forbidden_markers(viewer: str) -> list[str]:
    return [marker(a, v) for a, v in DOCS if not may_see(viewer, a, v)]


def assert_clean(viewer: str, text: str) -> None:
    leaked = [m for m in forbidden_markers(viewer) if m in text]
    assert not leaked, f"{viewer} was shown {leaked}"


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("method", METHODS)
def test_search_hits_snippets_counts_and_facets_show_exactly_what_the_viewer_may_open(
    world, viewer, method
):
    kb, _ = world
    result = kb.finder.search(
        SearchRequest(text=QUESTION, viewer=kb.people.viewer(viewer), limit=100, method=method)
    )
    found = {h.source for h in result.hits}
    assert found <= expected(viewer)
    assert result.total == len(result.hits)
    assert_clean(viewer, json.dumps([h.snippet + h.title for h in result.hits]))
    assert_clean(viewer, json.dumps(result.facets, ensure_ascii=False))
    assert sum(result.facets["kind"].values()) == result.total


# Two "how do we" questions (material is what answers them) that the search answers confidently.
ASKED = (
    "hur arbetar vi med zebrametoden i arbetslaget",
    "hur gör vi kollegialt lärande med zebrametoden",
)


@pytest.fixture(scope="module")
def answering(tmp_path_factory):
    """The same matrix with the real models and answers on (the fake vectors answer nothing)."""
    from kb.config import load_settings
    from kb.service import KnowledgeBase

    root = tmp_path_factory.mktemp("leaks-answers")
    kb = KnowledgeBase(load_settings(root / "instance", answers=True))
    kb.documents.ingest(write_matrix(root / "bundle"))
    yield kb
    kb.close()


@pytest.mark.model
@pytest.mark.parametrize("viewer", VIEWERS)
def test_an_answer_quotes_only_documents_the_viewer_may_open(answering, viewer):
    kb = answering
    for question in ASKED:
        page = search_payload(search(kb, kb.people.viewer(viewer), question))
        quoted = [g["source"] for g in (page["answer"] or {}).get("groups", [])]
        assert set(quoted) <= expected(viewer)
        assert_clean(viewer, json.dumps(page["answer"], ensure_ascii=False))


@pytest.mark.model
def test_the_answer_leak_check_is_not_empty(answering):
    kb = answering
    page = search_payload(search(kb, kb.people.viewer(PEOPLE[0]), ASKED[0]))
    assert page["answer"] is not None


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_keyword_leg_finds_every_document_the_viewer_may_open(world, viewer):
    kb, _ = world
    result = kb.finder.search(
        SearchRequest(
            text="zebrametoden", viewer=kb.people.viewer(viewer), limit=100, method="keyword"
        )
    )
    assert {h.source for h in result.hits} == expected(viewer)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_filters_never_widen_what_the_viewer_may_open(world, viewer):
    kb, _ = world
    for unit in UNITS:
        result = kb.finder.search(
            SearchRequest(
                text=QUESTION,
                viewer=kb.people.viewer(viewer),
                limit=100,
                filters=Filters(unit=unit),
            )
        )
        assert {h.source for h in result.hits} <= expected(viewer)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_expert_evidence_names_only_documents_the_viewer_may_open(world, viewer):
    kb, _ = world
    for expert in experts(kb, kb.people.viewer(viewer), QUESTION):
        assert {ev.source for ev in expert.evidence} <= expected(viewer)
        assert_clean(viewer, json.dumps([ev.title + ev.why for ev in expert.evidence]))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_risk_topics_name_only_documents_the_viewer_may_open(world, viewer):
    kb, _ = world
    for topic in risk(kb, kb.people.viewer(viewer)):
        assert set(topic.sources) <= expected(viewer)
        assert_clean(viewer, topic.name + " ".join(topic.labels))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_an_export_as_a_colleague_holds_only_what_they_may_open(world, viewer, tmp_path):
    kb, _ = world
    kb.documents.export(tmp_path / "out", kb.people.viewer(viewer))
    written = {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.md")}
    assert written == expected(viewer)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_json_api_shows_nothing_the_viewer_may_not_open(world, viewer):
    kb, app = world
    client = app.test_client()
    headers = {"Authorization": f"Bearer {kb.people.create_token(viewer)}"}
    routes = (
        f"/api/search?q={QUESTION}&limit=100",
        f"/api/experts?q={QUESTION}",
        "/api/risk",
        "/api/gaps",
        "/api/requests",
        "/api/review",
    )
    for route in routes:
        response = client.get(route, headers=headers)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert_clean(viewer, body)
        sources = set(re.findall(r'"(material/[^"]+\.md)"', body))
        assert sources <= expected(viewer)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_document_pages_and_downloads_open_only_for_those_who_may(world, viewer):
    kb, app = world
    client = app.test_client()
    log_in(client, kb, viewer)
    for author, visibility in DOCS:
        source = source_of(author, visibility)
        want = 200 if may_see(viewer, author, visibility) else 404
        assert client.get(f"/doc/{source}").status_code == want, (viewer, source)
        assert client.get(f"/download/{source}").status_code == want, (viewer, source)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_every_page_a_viewer_can_reach_is_free_of_forbidden_markers(world, viewer):
    kb, app = world
    client = app.test_client()
    log_in(client, kb, viewer)
    pages = [
        "/",
        f"/?q={QUESTION}",
        f"/learned?q={QUESTION}",
        "/people",
        f"/people/{PEOPLE[0]}",
        f"/people/{viewer}",
        f"/experts?q={QUESTION}",
        "/risk",
        f"/risk?leaves={PEOPLE[0]}",
        "/newcomers",
        "/gaps",
        "/requests",
        "/review",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 403), page
        assert_clean(viewer, response.get_data(as_text=True))


@pytest.mark.parametrize(
    "route",
    [
        "/",
        "/learned",
        "/people",
        "/experts?q=x",
        "/risk",
        "/newcomers",
        "/share",
        "/reflect",
        "/gaps",
        "/requests",
        "/review",
        f"/hit/{'0' * 32}/{source_of(PEOPLE[0], 'all')}",
        f"/doc/{source_of(PEOPLE[0], 'all')}",
        f"/download/{source_of(PEOPLE[0], 'all')}",
    ],
)
def test_an_anonymous_visitor_is_sent_to_log_in_from_every_page(world, route):
    _, app = world
    response = app.test_client().get(route)
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "route",
    [
        "/api/search?q=x",
        "/api/experts?q=x",
        "/api/risk",
        "/api/mentors?newcomer=x",
        "/api/mentors/matching",
        "/api/gaps",
        "/api/requests",
        "/api/review",
        f"/api/review/{source_of(PEOPLE[0], 'all')}",
    ],
)
def test_an_anonymous_api_call_gets_401(world, route):
    _, app = world
    assert app.test_client().get(route).status_code == 401


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_request_or_gap_names_only_documents_the_viewer_may_open(world, viewer):
    kb, _ = world
    me = kb.people.viewer(viewer)
    answers = {a.answer for a in kb.upkeep.material_requests(me) if a.answer}
    assert answers == expected(viewer)
    for author, visibility in DOCS:
        shown = kb.upkeep.requests_answered_by(me, source_of(author, visibility))
        assert bool(shown) == may_see(viewer, author, visibility)


def test_the_system_viewer_sees_everything(world):
    kb, _ = world
    result = kb.finder.search(
        SearchRequest(text="zebrametoden", viewer=Viewer.system(), limit=100, method="keyword")
    )
    assert len(result.hits) == len(DOCS)
