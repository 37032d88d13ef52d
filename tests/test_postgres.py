"""PostgreSQL as well as SQLite: the same knowledge base, and several servers on one database.

The portability specs run on both back ends (PostgreSQL is skipped when none answers); the
two-server spec starts real `kb serve` processes and needs PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import select

from kb.access import Viewer
from kb.limits import MAX_GROUP_CHARS
from kb.models import Chunk, Document, Original, Person
from kb.search.query.hybrid import SearchRequest
from tests.conftest import (
    LOCAL_POSTGRES,
    SAMPLE_BUNDLE,
    TEST_DATABASE_URL,
    BundleWriter,
    postgres_answers,
)
from tests.helpers import PASSWORD, csrf_token
from tests.servers import Colleague, Server, run_kb, server_env

needs_postgres = pytest.mark.skipif(
    not (TEST_DATABASE_URL or postgres_answers(LOCAL_POSTGRES)),
    reason="needs PostgreSQL (KB_TEST_DATABASE_URL, or a server on 127.0.0.1:5432)",
)
pytestmark = pytest.mark.postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database of each back end."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'portable.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create()
    yield url
    server.drop(url)


@pytest.fixture
def open_on(make_kb, database_url):
    """Return a factory of knowledge bases (instance folders by name) on the one database."""

    def factory(name: str = "instance"):
        return make_kb(name, database_url=database_url)

    return factory


def found(kb, text: str) -> list[str]:
    return [
        h.source for h in kb.finder.search(SearchRequest(text=text, viewer=Viewer.system())).hits
    ]


def test_long_free_text_values_are_stored_whole(open_on, bundle):
    long = ("följa upp och utvärdera tillsammans med hela arbetslaget " * 8).strip()
    bundle.people(
        [
            {
                "id": "anna.lind",
                "name": "Anna " + "Lind" * 80,
                "unit": "Skola" * 60,
                "email": "anna@" + "b" * 250 + ".se",
                "skills": [long],
            }
        ]
    )
    source = "reflections/" + "/".join(["långt-namn-" * 10] * 10) + ".md"
    # Past any VARCHAR(255), within kb's own limit of a group's name (kb/limits.py).
    group = long[:MAX_GROUP_CHARS].strip()
    bundle.doc(
        source,
        "Vi gjorde så här.",
        title="Lång",
        authors=["anna.lind"],
        group=group,
        step=long[:90],
        language="sv-x-" + "a" * 40,
    )
    kb = open_on()
    report = kb.documents.ingest(bundle.root)
    assert [p for p in report.problems if p.refused] == []
    with kb.db.read() as session:
        doc = session.scalar(select(Document))
        person = session.get(Person, "anna.lind")
        assert (doc.source, doc.group, doc.step) == (source, group, long[:90].strip())
        assert person.unit == "Skola" * 60 and person.skills[0].name == long


def test_lists_booleans_dates_and_original_files_come_back_as_they_went_in(open_on):
    kb = open_on()
    kb.documents.ingest(SAMPLE_BUNDLE)
    pdf = next(SAMPLE_BUNDLE.rglob("*.pdf"))
    with kb.db.read() as session:
        original = session.scalar(
            select(Original)
            .join(Document)
            .where(Document.source == pdf.relative_to(SAMPLE_BUNDLE).as_posix())
        )
        assert type(original.data) is bytes and original.data == pdf.read_bytes()
        people = session.scalars(select(Person)).all()
        assert all(isinstance(p.subjects, list) and isinstance(p.mentor, bool) for p in people)
        assert any(p.mentor for p in people) and any(p.started for p in people)
        docs = session.scalars(select(Document)).all()
        assert all(isinstance(d.tags, list) and isinstance(d.language_guessed, bool) for d in docs)


def test_the_generation_changes_with_every_add_edit_and_delete(open_on, bundle):
    kb = open_on()
    seen = []

    def generation():
        with kb.db.read() as session:
            seen.append(kb.indexes.generation(session))

    bundle.doc("material/a.md", "Första.")
    bundle.doc("material/b.md", "Andra.")
    kb.documents.ingest(bundle.root)
    generation()
    bundle.doc("material/a.md", "Första, ändrad.")
    kb.documents.ingest(bundle.root)
    generation()
    (bundle.root / "material" / "b.md").unlink()
    kb.documents.ingest(bundle.root, prune=True)
    generation()
    bundle.doc("material/c.md", "Tredje.")
    kb.documents.ingest(bundle.root)
    generation()
    assert len(set(seen)) == len(seen)


def test_ids_of_deleted_documents_and_chunks_are_never_given_out_again(open_on, bundle):
    kb = open_on()
    bundle.doc("material/a.md", "Första.")
    bundle.doc("material/z.md", "Sist inlagd.")
    kb.documents.ingest(bundle.root)
    with kb.db.read() as session:
        before = (
            session.scalar(select(Document.id).where(Document.source == "material/z.md")),
            max(session.scalars(select(Chunk.id))),
        )
    (bundle.root / "material" / "z.md").unlink()
    kb.documents.ingest(bundle.root, prune=True)
    bundle.doc("material/y.md", "Ny.")
    kb.documents.ingest(bundle.root)
    with kb.db.read() as session:
        new = session.scalar(select(Document).where(Document.source == "material/y.md"))
        assert new.id > before[0] and min(c.id for c in new.chunks) > before[1]


def test_an_instance_sees_documents_another_instance_folder_added_to_the_same_database(
    open_on, bundle
):
    bundle.doc("material/a.md", "Högläsning i F-3.", title="Högläsning")
    first, second = open_on("first"), open_on("second")
    first.documents.ingest(bundle.root)
    assert "material/a.md" in found(second, "högläsning")
    bundle.doc("material/b.md", "Schackklubben på rasterna.", title="Schack")
    first.documents.ingest(bundle.root)
    assert "material/b.md" in found(second, "schackklubben")
    (bundle.root / "material" / "a.md").unlink()
    first.documents.ingest(bundle.root, prune=True)
    assert "material/a.md" not in found(second, "högläsning")


def test_a_change_committed_while_an_index_sync_runs_is_found_by_the_next_search(
    open_on, bundle, tmp_path, monkeypatch
):
    from kb.catalog import Catalog
    from kb.ingest.bundle import read_bundle
    from kb.ingest.store import apply_bundle

    bundle.doc("material/a.md", "Högläsning i F-3.", title="Högläsning")
    server, writer = open_on("server"), open_on("writer")
    server.documents.ingest(bundle.root)
    elsewhere = BundleWriter(tmp_path / "elsewhere")
    elsewhere.doc("material/b.md", "Schackklubben på rasterna.", title="Schack")
    load = Catalog.load.__func__

    def load_while_another_process_commits(cls, session):
        monkeypatch.setattr(Catalog, "load", classmethod(load))
        with writer.db.write() as other:  # commits; no index is touched
            apply_bundle(other, read_bundle(elsewhere.root))
        return load(cls, session)

    monkeypatch.setattr(Catalog, "load", classmethod(load_while_another_process_commits))
    bundle.doc("material/a.md", "Högläsning i F-3, ändrad.", title="Högläsning")
    server.documents.ingest(bundle.root)
    assert "material/b.md" in found(server, "schackklubben")


# ------------------------------------------------------------------ two `kb serve` processes

# How long a change made through one server may take to be searchable through the other.
FOLLOW_SECONDS = 20
SEED = (
    "Schackklubben på rasterna varje tisdag.",
    "Högläsning i F-3 varje morgon.",
    "Källkritik på mellanstadiet med nyhetsartiklar.",
    "Matematik utomhus med mätband och kottar.",
    "Bedömning av muntliga presentationer i svenska.",
)


@dataclass(frozen=True)
class TwoServers:
    """Two `kb serve` on one database, each with its own instance folder and indexes."""

    first: Server
    second: Server
    env: dict
    bundle: BundleWriter
    anna: str  # Anna Lind's API token (Björkskolan)
    sara: str  # Sara Berg's (Ekskolan)

    def kb(self, *args: str) -> str:
        """Run a `kb` command beside the first server, on its instance folder."""
        return run_kb(self.first.folder, self.env, *args)


@pytest.fixture(scope="module")
def servers(postgres_server, tmp_path_factory):
    """Two servers on one fresh PostgreSQL database (fake embedder, answers on, one secret
    key as behind one address), started on a few documents ingested beforehand; Anna Lind,
    Per Ek and Sara Berg have passwords, Anna and Sara tokens."""
    root = tmp_path_factory.mktemp("two-servers")
    url = postgres_server.create()
    env = server_env(url)
    bundle = BundleWriter(root / "bundle")
    for n, text in enumerate(SEED):
        bundle.doc(f"material/seed-{n}.md", text, title=text.split()[0], authors=["per.ek"])
    folders = root / "first", root / "second"
    for folder in folders:
        folder.mkdir()
        (folder / "kb.toml").write_text(
            'answers = true\nsecret_key = "one-address-two-servers"\n', encoding="utf-8"
        )
    run_kb(folders[0], env, "ingest", str(bundle.root))
    tokens = {}
    for person in ("anna.lind", "per.ek", "sara.berg"):
        run_kb(folders[0], env, "user", "set-password", person, "--password", PASSWORD)
    for person in ("anna.lind", "sara.berg"):
        tokens[person] = run_kb(folders[0], env, "token", "create", person).split()[-1]
    first, second = Server(folders[0], env), Server(folders[1], env)
    pair = TwoServers(first, second, env, bundle, tokens["anna.lind"], tokens["sara.berg"])
    try:
        for server in (first, second):
            server.wait_for(server.healthy, 60, "health")
        # The second server listens at once and builds its own indexes in the background.
        second.wait_for(lambda: found_by(second, pair.anna, "högläsning"), 60, "its indexes")
        yield pair
    finally:
        first.stop()
        second.stop()
        postgres_server.drop(url)


def found_by(server: Server, token: str, text: str) -> list[str]:
    """Return the sources of a search's hits through one server, for a token's colleague."""
    return [hit["source"] for hit in server.search(token, text)["hits"]]


def within_seconds(server: Server, check, what: str) -> None:
    """Wait until check() holds through a server, at most FOLLOW_SECONDS."""
    server.wait_for(check, FOLLOW_SECONDS, what)


def shared_through_the_first(servers: TwoServers, title: str, text: str, word: str) -> str:
    """Share a file through the first server as Anna Lind, wait until the second finds it
    by word; return its source."""
    source = Colleague(servers.first, "anna.lind").share(title, text)
    second = servers.second
    within_seconds(
        second, lambda: source in found_by(second, servers.anna, word), "the shared file"
    )
    return source


@needs_postgres
def test_a_document_ingested_beside_one_server_is_found_through_the_other_within_seconds(
    servers,
):
    servers.bundle.doc(
        "material/schack.md", "Schackturneringen på fredagar.", title="Schack", authors=["per.ek"]
    )
    servers.kb("ingest", str(servers.bundle.root))
    second = servers.second
    within_seconds(
        second,
        lambda: "material/schack.md" in found_by(second, servers.anna, "schackturneringen"),
        "the ingested document",
    )
    assert "material/schack.md" in found_by(servers.first, servers.anna, "schackturneringen")


@needs_postgres
def test_a_file_shared_through_one_server_is_found_through_the_other_within_seconds(servers):
    source = Colleague(servers.first, "anna.lind").share(
        "Fladdermusholkar", "Vi satte upp fladdermusholkar vid skolan."
    )
    second = servers.second
    within_seconds(
        second,
        lambda: source in found_by(second, servers.sara, "fladdermusholkar"),
        "the shared file",
    )


@needs_postgres
def test_a_text_edited_on_one_server_is_searched_as_it_reads_now_through_the_other(servers):
    source = shared_through_the_first(
        servers, "Mätning", "Vi mätte skolgården med måttband.", "måttband"
    )
    status, _ = servers.first.post(
        f"/api/documents/{source}/edit", servers.anna, {"text": "Vi mätte skolgården med snören."}
    )
    assert status == 200
    second = servers.second
    within_seconds(
        second,
        lambda: (
            source in found_by(second, servers.anna, "snören")
            and source not in found_by(second, servers.anna, "måttband")
        ),
        "the edited text",
    )


@needs_postgres
def test_a_title_changed_on_one_server_is_found_by_its_new_words_through_the_other(servers):
    source = shared_through_the_first(servers, "Holkar", "Vi byggde holkar i slöjden.", "holkar")
    status, _ = servers.first.post(
        f"/api/documents/{source}/edit", servers.anna, {"title": "Pipistrellholkar"}
    )
    assert status == 200
    second = servers.second
    within_seconds(
        second,
        lambda: source in found_by(second, servers.anna, "pipistrellholkar"),
        "the new title",
    )


@needs_postgres
def test_the_other_servers_document_page_shows_an_edit_at_once(servers):
    source = shared_through_the_first(
        servers, "Rastaktiviteter", "Vi ordnade rastaktiviteter.", "rastaktiviteter"
    )
    reader = Colleague(servers.second, "sara.berg")
    assert "Rastaktiviteter" in reader.get(f"/doc/{source}").text
    servers.first.post(
        f"/api/documents/{source}/edit",
        servers.anna,
        {"title": "Lekar på rasten", "text": "Vi ordnade lekar på rasten."},
    )
    page = reader.get(f"/doc/{source}").text
    assert "Lekar på rasten" in page and "Vi ordnade lekar på rasten." in page
    assert "Rastaktiviteter" not in page


@needs_postgres
def test_a_document_made_private_on_one_server_is_hidden_at_once_through_the_other(servers):
    source = shared_through_the_first(
        servers, "Elevrådet", "Protokoll från elevrådet.", "elevrådet"
    )
    second = servers.second
    assert source in found_by(second, servers.sara, "elevrådet")
    status, _ = servers.first.post(
        f"/api/documents/{source}/edit", servers.anna, {"visibility": "private"}
    )
    assert status == 200
    assert source not in found_by(second, servers.sara, "elevrådet")
    assert Colleague(second, "sara.berg").get(f"/doc/{source}").status_code == 404
    assert source in found_by(second, servers.anna, "elevrådet")


@needs_postgres
def test_a_document_deleted_on_one_server_is_gone_at_once_from_the_others_search(servers):
    source = shared_through_the_first(
        servers, "Läsloggar", "Vi förde läsloggar hela terminen.", "läsloggar"
    )
    status, _ = servers.first.post(f"/api/documents/{source}/delete", servers.anna)
    assert status == 200
    second = servers.second
    assert source not in found_by(second, servers.anna, "läsloggar")
    assert Colleague(second, "anna.lind").get(f"/doc/{source}").status_code == 404


@needs_postgres
def test_a_document_brought_back_on_one_server_is_found_again_through_the_other(servers):
    source = shared_through_the_first(
        servers, "Odlingar", "Vi sådde bönor i odlingslådor.", "odlingslådor"
    )
    servers.first.post(f"/api/documents/{source}/delete", servers.anna)
    status, _ = servers.first.post(f"/api/documents/{source}/undelete", servers.anna)
    assert status == 200
    second = servers.second
    within_seconds(
        second,
        lambda: source in found_by(second, servers.anna, "odlingslådor"),
        "the document brought back",
    )


@needs_postgres
def test_a_colleague_logged_in_through_one_server_is_logged_in_on_the_other(servers):
    per = Colleague(servers.first, "per.ek")
    page = per.web.get(servers.second.url + "/share", allow_redirects=False, timeout=10)
    assert page.status_code == 200 and "Dela materialet" in page.text


@needs_postgres
def test_logging_out_through_one_server_ends_the_session_on_the_other(servers):
    per = Colleague(servers.first, "per.ek")
    kept = per.web.cookies.get("kb_session")  # the session as the other server last saw it
    token = csrf_token(per.get("/share").text)
    per.web.post(servers.first.url + "/logout", data={"logout-csrf_token": token}, timeout=10)
    page = requests.get(
        servers.second.url + "/share",
        cookies={"kb_session": kept},
        allow_redirects=False,
        timeout=10,
    )
    assert page.status_code == 302 and "/login" in page.headers["Location"]


LESSON = "Vad vi har lärt oss om exit tickets: {} frågor räcker."


@needs_postgres
def test_an_answer_through_the_other_server_quotes_a_reflection_as_edited_on_the_first(servers):
    anna = Colleague(servers.first, "anna.lind")
    source = anna.send(
        "/reflect",
        {
            "title": "Exit tickets",
            "group": "Bedömningsgruppen",
            "date": "2026-11-01",
            "step": "följa upp",
            "visibility": "all",
            "did": "Vi prövade exit tickets i åk 8.",
            "take_away": LESSON.format("Tre"),
        },
    )
    second, question = servers.second, "vad har vi lärt oss om exit tickets"

    def quoted() -> list[str]:
        answer = second.search(servers.sara, question)["answer"] or {"groups": []}
        return [
            s["text"] for g in answer["groups"] if g["source"] == source for s in g["sentences"]
        ]

    within_seconds(second, lambda: quoted() == [LESSON.format("Tre")], "the answer")
    servers.first.post(
        f"/api/documents/{source}/edit", servers.anna, {"take_away": LESSON.format("Två")}
    )
    within_seconds(second, lambda: quoted() == [LESSON.format("Två")], "the edited answer")
