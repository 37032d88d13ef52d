"""Never frozen: indexing runs beside the requests, its cost per document is bounded."""

from __future__ import annotations

import io
import threading
import time

import pytest
from sqlalchemy import select

from kb.models import Document
from kb.search.model.embed import FakeEmbedder
from kb.search.query.calibration import calibrate
from kb.text.chunking import cap_passage, chunk_text
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import log_in, make_app, open_kb, post_form


class GatedEmbedder(FakeEmbedder):
    """The fake embedder, except that passages wait until the gate opens (a slow model)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()
        self.threads: set[str] = set()

    def embed_passages(self, texts):
        self.threads.add(threading.current_thread().name)
        self.gate.wait(30)
        return super().embed_passages(texts)


@pytest.fixture
def base(tmp_path):
    kb = open_kb(tmp_path / "avail", SAMPLE_BUNDLE)
    kb.indexes.embedder = GatedEmbedder()
    yield kb
    kb.close()


@pytest.fixture
def client(base):
    client = make_app(base).test_client()
    log_in(client, base, "johan.lindqvist", set_password=False)
    return client


def share(client, title: str, text: str, visibility: str = "all"):
    fields = {"title": title, "language": "sv", "visibility": visibility}
    fields["file"] = (io.BytesIO(text.encode()), "fil.txt")
    return post_form(client, "/share", fields, content_type="multipart/form-data")


def test_an_upload_is_acknowledged_while_embedding_has_not_even_started(base, client):
    base.indexes.embedder.gate.clear()
    started = time.monotonic()
    response = share(client, "Fladdermöss", "Pipistrellfladdermus i holken.")
    assert response.status_code == 302
    assert time.monotonic() - started < 5
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "indexeras just nu" in page
    base.indexes.embedder.gate.set()
    assert base.indexes.wait_indexed(60)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "indexeras just nu" not in page


def test_health_and_search_answer_while_the_indexer_is_stuck_embedding(base, client):
    base.indexes.embedder.gate.clear()
    share(client, "Fladdermöss", "Pipistrellfladdermus i holken.")
    started = time.monotonic()
    assert client.get("/api/health").status_code == 200
    assert client.get("/?q=högläsning").status_code == 200
    assert time.monotonic() - started < 5
    base.indexes.embedder.gate.set()


def test_only_the_background_indexer_ever_embeds_passages_for_the_server(base, client):
    base.indexes.embedder.threads.clear()
    share(client, "Fladdermöss", "Pipistrellfladdermus i holken.")
    client.get("/?q=pipistrellfladdermus")
    assert base.indexes.wait_indexed(60)
    assert base.indexes.embedder.threads == {"kb-indexer"}


def test_a_new_upload_is_found_once_it_is_indexed(base, client):
    share(client, "Fladdermöss", "Pipistrellfladdermus i holken.")
    assert base.indexes.wait_indexed(60)
    assert "Fladdermöss" in client.get("/?q=pipistrellfladdermus").get_data(as_text=True)


def test_a_document_deleted_behind_a_stale_snapshot_is_never_shown(base, client):
    share(client, "Fladdermöss", "Pipistrellfladdermus i holken.")
    assert base.indexes.wait_indexed(60)
    base.indexes.embedder.gate.clear()  # the indexer cannot catch up from here on
    with base.db.write() as session:
        session.delete(session.scalar(select(Document).where(Document.title == "Fladdermöss")))
    assert "Fladdermöss" not in client.get("/?q=pipistrellfladdermus").get_data(as_text=True)
    base.indexes.embedder.gate.set()


def test_a_document_made_private_behind_a_stale_snapshot_is_hidden_from_others(base, client):
    share(client, "Fladdermöss", "Pipistrellfladdermus i holken.")
    assert base.indexes.wait_indexed(60)
    base.indexes.embedder.gate.clear()
    with base.db.write() as session:
        doc = session.scalar(select(Document).where(Document.title == "Fladdermöss"))
        doc.visibility, doc.revision = "private", doc.revision + 1
    other = make_app(base).test_client()
    log_in(other, base, "karin.sjoberg", set_password=False)
    assert "Fladdermöss" not in other.get("/?q=pipistrellfladdermus").get_data(as_text=True)
    base.indexes.embedder.gate.set()


def test_the_server_listens_at_once_and_searches_by_keyword_while_vectors_rebuild(base):
    for name in ("vectors.faiss", "vectors.json"):
        (base.indexes.vector_path / name).unlink()
    base.indexes.embedder.gate.clear()
    started = time.monotonic()
    client = make_app(base).test_client()
    log_in(client, base, "johan.lindqvist", set_password=False)
    body = client.get("/?q=högläsning").get_data(as_text=True)
    assert time.monotonic() - started < 10
    assert "/hit/" in body  # a hit, linked through its click-through
    base.indexes.embedder.gate.set()
    assert base.indexes.wait_indexed(120)


def test_a_run_of_brackets_without_spaces_is_cut_into_bounded_words():
    chunks = chunk_text("[" * 60_000)
    assert max(len(word) for c in chunks for word in c.split()) <= 40
    assert max(len(c) for c in chunks) < 8_000


def test_a_passage_is_embedded_up_to_its_token_cap():
    text, cut = cap_passage("[" * 5_000, max_tokens=256)
    assert len(text) == 256 and cut
    assert cap_passage("Högläsning varje morgon.", max_tokens=256) == (
        "Högläsning varje morgon.",
        False,
    )


def test_a_document_over_the_chunk_cap_is_indexed_by_what_fits_and_says_so(
    make_kb, bundle, monkeypatch
):
    monkeypatch.setattr("kb.ingest.rows.MAX_CHUNKS_PER_DOCUMENT", 3)
    bundle.doc("material/lang.md", " ".join(["högläsning"] * 2_000), title="Lång")
    report = make_kb().documents.ingest(bundle.root)
    assert any("material/lang.md: indexed by what fits" in line for line in report.lines())


def test_a_document_over_its_time_budget_is_indexed_by_what_fits_once(make_kb, bundle, monkeypatch):
    monkeypatch.setattr("kb.search.indexes.indexer.INDEX_SECONDS_PER_DOCUMENT", 0.0)
    monkeypatch.setattr("kb.search.indexes.indexer.EMBED_BATCH", 1)
    bundle.doc("material/lang.md", " ".join(["högläsning"] * 1_000), title="Lång")
    kb = make_kb()
    report = kb.documents.ingest(bundle.root)
    assert any("embedding took longer" in line for line in report.lines())
    assert kb.indexes.index_state("material/lang.md") == "partly"
    assert not kb.indexes.sync_indexes().changed  # the rest is not tried again on every sync


def test_searches_arriving_together_before_any_noise_is_known_measure_it_once(kb, monkeypatch):
    from kb.search.query.hybrid import SearchRequest
    from kb.search.serving.noise import NoiseFloor

    measured = []

    def slow_calibrate(null_scores):
        measured.append(1)
        time.sleep(0.3)  # long enough for every other search to arrive meanwhile
        return calibrate(null_scores)

    viewer = kb.people.viewer("karin.sjoberg")
    kb.finder.noise = NoiseFloor(slow_calibrate)  # as in a fresh server: no noise measured yet
    searches = [
        threading.Thread(target=kb.finder.search, args=(SearchRequest(text=q, viewer=viewer),))
        for q in ("boksamtal", "exit tickets", "källkritik", "lässtrategier")
    ]
    for s in searches:
        s.start()
    for s in searches:
        s.join()
    assert measured == [1]


def test_a_collection_that_grew_by_a_bundle_is_measured_again_at_once():
    from kb.search.serving.noise import NoiseFloor

    floor = NoiseFloor(lambda null_scores: {"dense": null_scores("x")}, every=60.0)
    floor.of((object(),), "params", lambda q: 1.0, 3)  # the first three documents
    grown = (object(),)
    floor.of(grown, "params", lambda q: 2.0, 120)  # answered at once with what is known
    deadline = time.monotonic() + 5
    while floor.of(grown, "params", lambda q: 2.0, 120) != {"dense": 2.0}:
        assert time.monotonic() < deadline, "the grown collection was never measured"
        time.sleep(0.01)


def test_after_an_index_swap_no_search_waits_for_the_new_noise():
    from kb.search.serving.noise import NoiseFloor

    started, release = threading.Event(), threading.Event()

    def measure(null_scores):
        if started.is_set():  # the second measurement: hold it until the test lets it go
            release.wait(5)
        started.set()
        return {"dense": null_scores("x")}

    floor = NoiseFloor(measure, every=0.0)
    old_state, new_state = (object(),), (object(),)
    assert floor.of(old_state, "params", lambda q: 1.0, 100) == {"dense": 1.0}
    began = time.monotonic()
    assert floor.of(new_state, "params", lambda q: 2.0, 101) == {"dense": 1.0}  # the last one known
    assert time.monotonic() - began < 0.5
    release.set()
    deadline = time.monotonic() + 5
    while floor.of(new_state, "params", lambda q: 2.0, 101) != {"dense": 2.0}:
        assert time.monotonic() < deadline, "the new state's noise was never measured"
        time.sleep(0.01)


def test_while_documents_keep_arriving_the_noise_is_measured_again_at_most_every_few_seconds():
    from kb.search.serving.noise import NoiseFloor

    measured = []

    def measure(null_scores):
        measured.append(1)
        return {"dense": null_scores("x")}

    floor = NoiseFloor(measure, every=60.0)
    floor.of((object(),), "params", lambda q: 1.0, 100)
    for n in range(20):  # twenty swaps in a row, as during an ingest
        floor.of((object(),), "params", lambda q: 2.0, 100 + n // 4)
    time.sleep(0.1)
    assert measured == [1]
