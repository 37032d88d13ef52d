"""The first ingest of a municipality: search answers while the vectors are still being made.

A real `kb serve` runs beside a real `kb ingest` of 200 documents (about 1,000 passages)
whose embedding takes its time (the fake embedder at 40 ms a passage). While it runs the
keyword search covers every document, the semantic legs answer from the vectors embedded
so far (the server picks up the ingest's checkpoints), nothing a colleague may not open
appears, and the search says how far the semantic index has come.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest
import requests
from click.testing import CliRunner

from kb import accounts
from kb.access import Viewer
from kb.cli import main
from kb.config import load_settings
from kb.search.model.embed import SlowFakeEmbedder
from kb.service import KnowledgeBase
from tests.conftest import ROOT, SAMPLE_BUNDLE, BundleWriter
from tests.helpers import PASSWORD, csrf_token, make_app, open_kb
from tests.servers import Server, server_env

WORDS = ("högläsning", "boksamtal", "källkritik", "matematik", "schack", "bedömning", "rast")
SECRET = "hemlighetsordet"  # only in a document Anna Lind keeps to herself
LAST = "slutklämmen"  # only in the document embedded last
PROGRESS_LINE = re.compile(
    r"Betydelsesökningen är inte klar: [\d\s]+ av [\d\s]+ avsnitt \(\d+\s%\); "
    r"sökningen på ord omfattar allt\."
)


def database_url(request, folder) -> str | None:
    """The database a child process uses for folder (PostgreSQL under KB_TEST_DATABASE_URL)."""
    databases = request.getfixturevalue("_instance_databases")
    return None if databases is None else databases.url_for(folder)


def big_bundle(root) -> BundleWriter:
    """200 documents of 880 words: the secret first, the one with LAST last."""
    bundle = BundleWriter(root)
    rng = random.Random(11)
    bundle.doc(
        "material/aa-hemligt.md",
        f"Ett {SECRET} om högläsning.",
        title="Hemligt",
        authors=["anna.lind"],
        visibility="private",
    )
    for n in range(198):
        body = " ".join(rng.choice(WORDS) for _ in range(880))
        bundle.doc(f"material/m{n:03d}.md", body, title=f"Dokument {n}", authors=["per.ek"])
    bundle.doc("material/zz-sist.md", f"Om {LAST} i schack.", title="Sist", authors=["per.ek"])
    return bundle


@pytest.fixture(scope="module")
def beside(tmp_path_factory, request):
    """A server on an instance with people only, and a slow `kb ingest` of 200 documents
    started beside it; yields (server, {person: token}, the ingest's process)."""
    root = tmp_path_factory.mktemp("fill-in")
    folder = root / "instance"
    env = server_env(database_url(request, folder))
    kb = KnowledgeBase(load_settings(folder, embedder="fake"))
    kb.documents.ingest(BundleWriter(root / "people").root)
    tokens = {}
    for person in ("per.ek", "anna.lind"):
        accounts.set_password(kb, person, PASSWORD)
        tokens[person] = kb.people.create_token(person)
    kb.close()
    bundle = big_bundle(root / "bundle")
    # The server's own indexer embeds as slowly as the ingest: whichever of the two holds the
    # index lock between the ingest's stages, the vectors arrive over tens of seconds.
    server = Server(folder, {**env, "KB_EMBEDDER": "fake-slow:40"})
    log = (root / "ingest.log").open("w")
    ingest = None
    try:
        server.wait_for(server.healthy, 30, "health")
        ingest = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "--instance", str(folder), "ingest", str(bundle.root)],
            env={**env, "KB_EMBEDDER": "fake-slow:40"},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        yield server, tokens, ingest
    finally:
        if ingest is not None and ingest.poll() is None:
            ingest.kill()
            ingest.wait()
        server.stop()
        log.close()


def search(server: Server, token: str, text: str, method: str | None = None) -> dict:
    query = {"q": text, **({"method": method} if method else {})}
    return server.get(f"/api/search?{urlencode(query)}", token, timeout=10)[1]


def sources(payload: dict) -> list[str]:
    return [hit["source"] for hit in payload["hits"]]


def behind(payload: dict) -> bool:
    semantic = payload["semantic"]
    return semantic is not None and semantic["done"] < semantic["total"]


def test_keyword_search_covers_a_document_before_its_vector_is_made(beside):
    server, tokens, _ = beside
    found = {}

    def keyword_hit() -> bool:
        found["dense"] = search(server, tokens["per.ek"], LAST, "dense")
        found["any"] = search(server, tokens["per.ek"], LAST)
        return "material/zz-sist.md" in sources(found["any"])

    server.wait_for(keyword_hit, 30, "the last document found by its words")
    assert behind(found["dense"]) and behind(found["any"])
    assert "material/zz-sist.md" not in sources(found["dense"])


def test_the_count_covers_only_the_passages_a_colleague_may_open(beside):
    server, tokens, _ = beside
    per = search(server, tokens["per.ek"], "högläsning")["semantic"]
    anna = search(server, tokens["anna.lind"], "högläsning")["semantic"]
    # Anna also opens her own secret (one passage); Per is not told it exists.
    assert anna["total"] == per["total"] + 1


def test_the_semantic_legs_answer_from_the_vectors_embedded_so_far(beside):
    server, tokens, ingest = beside
    found = {}

    def dense_hits() -> bool:
        found["payload"] = payload = search(server, tokens["per.ek"], "högläsning", "dense")
        return payload["total"] > 0

    server.wait_for(dense_hits, 40, "hits of the dense leg")
    assert behind(found["payload"]) and found["payload"]["semantic"]["done"] > 0, (
        found["payload"]["semantic"],
        found["payload"]["total"],
        ingest.poll(),
    )
    assert ingest.poll() is None, "the ingest ended before the server used its checkpoints"


def test_nothing_a_colleague_may_not_open_appears_while_the_vectors_fill_in(beside):
    server, tokens, _ = beside
    server.wait_for(
        lambda: "material/aa-hemligt.md" in sources(search(server, tokens["anna.lind"], SECRET)),
        40,
        "Anna's own secret",
    )
    for method in ("dense", "sparse", None):
        payload = search(server, tokens["per.ek"], SECRET, method)
        assert behind(payload)
        assert "material/aa-hemligt.md" not in sources(payload) + sources(
            {"hits": payload["closest"]}
        )


def logged_in(server: Server, person: str) -> requests.Session:
    web = requests.Session()
    page = web.get(server.url + "/login", timeout=10).text
    web.post(
        server.url + "/login",
        data={"handle": person, "password": PASSWORD, "csrf_token": csrf_token(page)},
        timeout=10,
    )
    return web


def test_the_search_page_and_health_say_how_far_the_semantic_index_has_come(beside):
    server, tokens, _ = beside
    web = logged_in(server, "per.ek")
    page = web.get(server.url + "/?q=högläsning", timeout=10).text
    health = server.get("/api/health")[1]
    assert PROGRESS_LINE.search(page), page
    assert 0 <= health["semantic"]["done"] < health["semantic"]["total"]


def test_once_every_passage_is_embedded_the_search_says_nothing_more(beside):
    server, tokens, ingest = beside
    assert ingest.wait(120) == 0
    server.wait_for(
        lambda: search(server, tokens["per.ek"], "högläsning")["semantic"] is None,
        30,
        "a complete semantic index",
    )
    page = logged_in(server, "per.ek").get(server.url + "/?q=högläsning", timeout=10).text
    assert "Betydelsesökningen är inte klar" not in page
    assert server.get("/api/health")[1]["semantic"] is None
    assert "material/zz-sist.md" in sources(search(server, tokens["per.ek"], LAST, "dense"))


def test_a_servers_own_indexer_publishes_what_it_has_embedded_so_far(tmp_path, request):
    folder = tmp_path / "instance"
    kb = open_kb(folder, SAMPLE_BUNDLE)
    token = kb.people.create_token("johan.lindqvist")
    kb.close()
    for leg in ("vectors", "sparse"):
        shutil.rmtree(folder / "index" / leg)
    env = {**server_env(database_url(request, folder)), "KB_EMBEDDER": "fake-slow:400"}
    server = Server(folder, env)
    try:
        server.wait_for(server.healthy, 30, "health")
        server.wait_for(
            lambda: search(server, token, "högläsning", "dense")["total"] > 0, 40, "dense hits"
        )
        assert server.get("/api/health")[1]["indexer"] == "busy"
        assert behind(search(server, token, "högläsning"))
    finally:
        server.stop()


def test_kb_doctor_says_how_far_the_semantic_index_has_come(
    tmp_path, instance_database_url, monkeypatch
):
    folder = tmp_path / "instance"
    open_kb(folder, SAMPLE_BUNDLE).close()
    shutil.rmtree(folder / "index" / "vectors")
    if instance_database_url(folder):
        monkeypatch.setenv("KB_DATABASE_URL", instance_database_url(folder))
    monkeypatch.setenv("KB_EMBEDDER", "fake")
    done = CliRunner().invoke(main, ["--instance", str(folder), "doctor", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["semantic index"] == (
        "0 of 100 passages embedded (0 %); searches find every document by its words meanwhile"
    )


def test_an_indexer_in_a_thread_publishes_what_it_has_embedded_so_far(tmp_path):
    folder = tmp_path / "instance"
    open_kb(folder, SAMPLE_BUNDLE).close()
    for leg in ("vectors", "sparse"):
        shutil.rmtree(folder / "index" / leg)
    kb = KnowledgeBase(load_settings(folder, embedder="fake"), embedder=SlowFakeEmbedder(0.25))
    try:
        make_app(kb)  # a thread indexer: 100 passages at 0.25 s, saved every 10 s
        deadline = time.monotonic() + 40
        while not hits(kb, "dense") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert hits(kb, "dense") and kb.indexes.worker.busy
        assert kb.finder.page(Viewer.system(), "högläsning").semantic is not None
    finally:
        kb.close()


def hits(kb: KnowledgeBase, method: str) -> list:
    return kb.finder.page(Viewer.system(), "högläsning", method=method).result.hits
