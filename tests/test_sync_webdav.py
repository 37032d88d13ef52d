"""kb sync against a real WebDAV server (wsgidav on 127.0.0.1, serving a temporary folder).

Nothing of kb's own is mocked: the client speaks HTTP to the server, the files go through the
bundle reader's pipeline and the store, and the server counts the GETs it answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kb.access import Viewer
from kb.ingest.connectors import state
from kb.ingest.versions import version_list
from kb.models import Document, DocumentVersion, SyncFile
from kb.search.query.hybrid import SearchRequest
from tests.files import make_docx, make_pdf
from tests.test_hostile import docx_bomb
from tests.webdav import PASSWORD, DavServer, sync_toml

FORMATS = ("md", "txt", "html", "pdf", "docx")
FOLDERS = ("Matematik/Åk 7", "Matematik/Åk 8", "Svenska", "NO/Biologi", "")


def word(i: int) -> str:
    """A made-up word found in file i only (the keyword leg finds it, nothing else has it)."""
    letters = "bcdfghjklmnprstv"
    return "zq" + letters[i // 16 % 16] + letters[i % 16] + "ov"


@cache
def content(fmt: str, i: int, version: int = 1) -> bytes:
    line = f"Lektion {i} version {version} om {word(i)} och {'nytt' if version > 1 else 'gammalt'}"
    if fmt == "md":
        return f"# Lektion {i}\n\n{line}.\n".encode()
    if fmt == "txt":
        return f"{line}.\n".encode()
    if fmt == "html":
        return f"<html><body><h1>Lektion {i}</h1><p>{line}.</p></body></html>".encode()
    if fmt == "pdf":
        return make_pdf(line)
    return make_docx(line)


def file_path(i: int) -> str:
    fmt = FORMATS[i % len(FORMATS)]
    folder = FOLDERS[i // len(FORMATS) % len(FOLDERS)]
    return f"{folder}/lektion-{i:03d}.{fmt}".lstrip("/")


def fill(dav: DavServer, count: int) -> list[str]:
    """Put `count` files of every format into the server's folders; return their paths."""
    paths = []
    for i in range(count):
        path = file_path(i)
        dav.put(path, content(path.rsplit(".", 1)[1], i))
        paths.append(path)
    return paths


@pytest.fixture
def dav(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_TEST_DAV_PASSWORD", PASSWORD)
    server = DavServer(tmp_path / "nextcloud")
    yield server
    server.close()


def synced_kb(make_kb, tmp_path, dav, name="instance", extra=""):
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    (folder / "kb.toml").write_text(sync_toml(dav.url, extra=extra), encoding="utf-8")
    return make_kb(name)


def found(kb, query: str) -> list[str]:
    return [
        h.source for h in kb.finder.search(SearchRequest(text=query, viewer=Viewer.system())).hits
    ]


def sources(kb) -> dict[str, str]:
    with kb.db.read() as session:
        return dict(session.execute(select(Document.source, Document.content_hash)).all())


def test_a_first_sync_brings_200_files_of_every_format_and_a_second_fetches_only_the_10_changed(
    dav, make_kb, tmp_path
):
    paths = fill(dav, 200)
    kb = synced_kb(make_kb, tmp_path, dav)
    (report,) = kb.documents.sync()
    assert report.counts["added"] == 200 and not report.problems
    assert len(sources(kb)) == 200
    for i in (3, 4, 150):  # a PDF, a DOCX, a Markdown file, searchable by their words
        assert found(kb, word(i))[:1] == [f"skolmoln/{file_path(i)}"]
    dav.reset_counts()
    changed = paths[:5] + [f"Svenska/ny-{i}.md" for i in range(5)]
    for i, path in enumerate(paths[:5]):
        dav.put(path, content(path.rsplit(".", 1)[1], i, version=2))
    for i in range(5):
        dav.put(f"Svenska/ny-{i}.md", f"# Ny {i}\n\nHelt ny text.\n")
    (report,) = kb.documents.sync()
    assert sorted(dav.gets) == sorted(f"/dav/{p}" for p in changed)
    assert (report.counts["updated"], report.counts["added"]) == (5, 5)
    assert report.counts["unchanged"] == 195


def test_a_file_deleted_at_the_source_is_gone_from_search_and_its_undo_works(
    dav, make_kb, tmp_path
):
    fill(dav, 10)
    kb = synced_kb(make_kb, tmp_path, dav)
    kb.documents.sync()
    source = f"skolmoln/{file_path(7)}"
    assert found(kb, word(7))[:1] == [source]
    (dav.root / file_path(7)).unlink()
    (report,) = kb.documents.sync()
    assert report.counts["deleted"] == 1
    assert source not in found(kb, word(7)) and source not in kb.indexes.catalog().by_source
    kb.documents.store.undelete(source)
    assert found(kb, word(7))[:1] == [source]


def test_a_renamed_file_keeps_its_versions(dav, make_kb, tmp_path):
    dav.put("Svenska/dikter.md", "# Dikter\n\nOm zqrimov och rytm.\n")
    kb = synced_kb(make_kb, tmp_path, dav)
    kb.documents.sync()
    dav.put("Svenska/dikter.md", "# Dikter\n\nOm zqrimov, rytm och bilder.\n")
    kb.documents.sync()
    (dav.root / "Svenska" / "dikter.md").rename(dav.root / "Svenska" / "poesi.md")
    dav.reset_counts()
    (report,) = kb.documents.sync()
    assert report.counts["moved"] == 1 and report.counts["deleted"] == 0
    assert found(kb, "zqrimov")[:1] == ["skolmoln/Svenska/poesi.md"]
    with kb.db.read() as session:
        doc = session.scalar(select(Document).where(Document.source == "skolmoln/Svenska/poesi.md"))
        actions = [v["action"] for v in version_list(session, doc.source, doc)]
    assert actions == ["moved", "synced", "created"]


def test_a_zip_bomb_is_refused_by_name_the_rest_arrive_and_it_is_not_fetched_again(
    dav, make_kb, tmp_path
):
    fill(dav, 20)
    dav.put("Svenska/bomb.docx", docx_bomb())
    kb = synced_kb(make_kb, tmp_path, dav)
    (report,) = kb.documents.sync()
    assert report.counts["added"] == 20 and report.counts["refused"] == 1
    lines = [line for line in report.lines() if "bomb.docx" in line]
    assert len(lines) == 1 and lines[0].startswith("refused: skolmoln/Svenska/bomb.docx: ")
    assert "zip bomb" in lines[0]
    dav.reset_counts()
    (report,) = kb.documents.sync()
    assert dav.gets == [] and report.counts["unchanged"] == 21


def test_folder_rules_fill_what_a_sidecar_or_front_matter_leaves_open(dav, make_kb, tmp_path):
    rules = (
        '[[sync.rule]]\nfolder = "Matematik"\nsubjects = ["matematik"]\nvisibility = "unit"\n'
        '[[sync.rule]]\nfolder = "Matematik/Åk 7"\ngrades = ["7"]\n'
    )
    dav.put("Matematik/Åk 7/bråk.md", "# Bråk\n\nText.\n")
    dav.put("Matematik/Åk 7/egen.md", "---\ntitle: Egen\nsubjects: [fysik]\n---\n\nText.\n")
    dav.put("Matematik/Åk 7/prov.pdf", make_pdf("Prov om procent"))
    dav.put("Matematik/Åk 7/prov.pdf.yaml", "title: Provet\nvisibility: all\n")
    kb = synced_kb(make_kb, tmp_path, dav, extra=rules)
    kb.documents.sync()
    with kb.db.read() as session:
        docs = {d.source.rsplit("/", 1)[1]: d for d in session.scalars(select(Document))}
        assert (docs["bråk.md"].subjects, docs["bråk.md"].grades) == (["matematik"], ["7"])
        assert docs["bråk.md"].visibility == "unit"
        assert docs["egen.md"].subjects == ["fysik"]
        assert (docs["prov.pdf"].title, docs["prov.pdf"].visibility) == ("Provet", "all")
        assert docs["prov.pdf"].origin == "sync"


def test_a_changed_sidecar_is_a_new_version_of_its_document(dav, make_kb, tmp_path):
    dav.put("Svenska/läsa.docx", make_docx("Läsa tillsammans"))
    dav.put("Svenska/läsa.docx.yaml", "title: Läsa\n")
    kb = synced_kb(make_kb, tmp_path, dav)
    kb.documents.sync()
    dav.put("Svenska/läsa.docx.yaml", "title: Läsa högt\n")
    (report,) = kb.documents.sync()
    assert report.counts["updated"] == 1
    assert kb.indexes.catalog().by_source["skolmoln/Svenska/läsa.docx"].title == "Läsa högt"


def test_a_source_that_cannot_be_reached_deletes_nothing(dav, make_kb, tmp_path):
    fill(dav, 5)
    kb = synced_kb(make_kb, tmp_path, dav)
    kb.documents.sync()
    dav.close()
    (report,) = kb.documents.sync()
    assert report.error and len(sources(kb)) == 5
    assert report.lines()[0].startswith("skolmoln: failed: ")


def test_the_app_password_is_read_from_the_environment_never_from_kb_toml(tmp_path, make_kb):
    from kb.config import ConfigError
    from kb.ingest.connectors.config import read_sync_configs

    (tmp_path / "kb.toml").write_text(
        '[[sync]]\nname = "moln"\nurl = "https://moln.example/dav"\npassword = "hemligt"\n'
    )
    with pytest.raises(ConfigError, match="no password in kb.toml"):
        read_sync_configs(tmp_path)
    (tmp_path / "kb.toml").write_text('[[sync]]\nname = "moln"\nurl = "http://moln.example/"\n')
    with pytest.raises(ConfigError, match="https://"):
        read_sync_configs(tmp_path)


def _sync_process(instance: Path, database_url: str | None) -> subprocess.Popen:
    env = dict(os.environ, KB_EMBEDDER="fake", PYTHONPATH=str(Path(__file__).parent.parent))
    if database_url:
        env["KB_DATABASE_URL"] = database_url
    return subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "--instance", str(instance), "sync"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.crash
def test_a_sync_killed_in_the_middle_and_started_again_ends_like_an_uninterrupted_one(
    dav, make_kb, tmp_path, instance_database_url
):
    fill(dav, 120)
    killed = tmp_path / "killed"
    killed.mkdir()
    (killed / "kb.toml").write_text(sync_toml(dav.url), encoding="utf-8")
    for kill_at in (30, 70):  # killed twice, at different files
        child = _sync_process(killed, instance_database_url(killed))
        deadline = time.monotonic() + 120
        while len(dav.gets) < kill_at and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert child.poll() is None, "the sync ended before it could be killed"
        child.kill()  # SIGKILL: no cleanup, no rollback handler, maybe mid-transaction
        child.wait()
    before_last = len(dav.gets)
    again = _sync_process(killed, instance_database_url(killed))
    out = again.communicate(timeout=300)[0].decode()
    assert again.returncode == 0, out
    assert len(dav.gets) - before_last <= 120 - 60  # what was stored is not fetched again
    interrupted = make_kb("killed")
    whole = synced_kb(make_kb, tmp_path, dav, name="whole")
    whole.documents.sync()
    assert sources(interrupted) == sources(whole)
    assert len(sources(interrupted)) == 120
    with interrupted.db.read() as session:
        rows = session.scalars(select(SyncFile.path).where(SyncFile.is_folder.is_(False))).all()
        runs = [r.status for r in reversed(state.recent_runs(session))]
        versions = session.scalar(select(func.count(DocumentVersion.id)))
    assert len(rows) == len(set(rows)) == 120
    assert versions == 0  # no document was written twice
    assert runs == ["interrupted", "interrupted", "done"]


def test_a_running_server_syncs_on_its_schedule_in_a_child_and_keeps_answering(
    dav, make_kb, tmp_path, monkeypatch, instance_database_url
):
    from tests.helpers import make_app

    dav.put("Svenska/schema.md", "# Schema\n\nOm zqschov.\n")
    kb = synced_kb(make_kb, tmp_path, dav, extra="every_minutes = 60\n")
    monkeypatch.setenv("KB_EMBEDDER", "fake")
    if instance_database_url(kb.settings.instance_path):
        monkeypatch.setenv("KB_DATABASE_URL", instance_database_url(kb.settings.instance_path))
    client = make_app(kb).test_client()
    deadline = time.monotonic() + 90
    while "skolmoln/Svenska/schema.md" not in kb.indexes.catalog().by_source:
        assert time.monotonic() < deadline, "the scheduled sync never arrived"
        assert client.get("/api/health").status_code == 200
        time.sleep(0.5)
    assert dav.gets == ["/dav/Svenska/schema.md"]


def test_a_folder_that_cannot_be_listed_keeps_its_documents(dav, make_kb, tmp_path):
    fill(dav, 25)
    kb = synced_kb(make_kb, tmp_path, dav)
    kb.documents.sync()
    dav.failing.add("/dav/Svenska")
    (report,) = kb.documents.sync()
    assert len(sources(kb)) == 25 and report.counts["deleted"] == 0
    assert any("skolmoln/Svenska: could not be listed" in str(p) for p in report.problems)


def test_a_file_that_could_not_be_fetched_is_fetched_at_the_next_sync(dav, make_kb, tmp_path):
    fill(dav, 10)
    kb = synced_kb(make_kb, tmp_path, dav)
    dav.failing.add(f"/dav/{file_path(3)}")
    (report,) = kb.documents.sync()
    assert report.counts["added"] == 9 and len(sources(kb)) == 9
    dav.failing.clear()
    dav.reset_counts()
    (report,) = kb.documents.sync()
    assert dav.gets == [f"/dav/{file_path(3)}"] and report.counts["added"] == 1


def test_requests_to_the_source_keep_to_the_configured_rate(dav, make_kb, tmp_path):
    fill(dav, 10)
    kb = synced_kb(make_kb, tmp_path, dav)
    toml = kb.settings.instance_path / "kb.toml"
    toml.write_text(toml.read_text().replace("= 2000", "= 20"), encoding="utf-8")
    started = time.monotonic()
    kb.documents.sync()
    seconds = time.monotonic() - started
    requests = len(dav.gets) + len(dav.propfinds)
    assert requests >= 14 and seconds >= (requests - 1) / 20


def test_kb_sync_prints_the_counts_and_each_refused_file_on_a_line(dav, cli, tmp_path):
    fill(dav, 5)
    dav.put("Svenska/trasig.pdf", b"%PDF-1.4 this is no PDF at all")
    folder = tmp_path / "cli-instance"
    folder.mkdir()
    (folder / "kb.toml").write_text(sync_toml(dav.url), encoding="utf-8")
    result = cli("sync")
    lines = result.output.splitlines()
    assert result.exit_code == 0, result.output
    assert lines[0].startswith("skolmoln: 5 added, 0 updated, 0 moved, 0 deleted, 0 unchanged, ")
    assert [line for line in lines if "trasig.pdf" in line] == [
        line for line in lines if line.startswith("refused: skolmoln/Svenska/trasig.pdf: ")
    ]
    assert len([line for line in lines if line.startswith("refused: ")]) == 1
    assert cli("sync", "nowhere").exit_code != 0


def test_a_server_whose_certificate_does_not_verify_is_refused(make_kb, tmp_path, monkeypatch):
    """A self-signed certificate (tests/data, made once with openssl) on a local HTTPS server:
    kb refuses to talk to it, as it would to a man in the middle."""
    import http.server
    import ssl
    import threading

    data = Path(__file__).parent / "data"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(data / "self-signed.pem", data / "self-signed.key")
    httpd = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv("KB_TEST_DAV_PASSWORD", PASSWORD)
    folder = tmp_path / "instance"
    folder.mkdir()
    url = f"https://127.0.0.1:{httpd.server_port}/dav"
    (folder / "kb.toml").write_text(sync_toml(url), encoding="utf-8")
    try:
        (report,) = make_kb().documents.sync()
    finally:
        httpd.shutdown()
    assert "CERTIFICATE_VERIFY_FAILED" in report.error
