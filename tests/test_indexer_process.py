"""The server's indexer runs in a child process below serving; health never waits for it."""

from __future__ import annotations

import fcntl
import io
import os
import subprocess
import sys
import time

import pytest

from kb.app import create_app
from kb.config import ConfigError, load_settings
from kb.search.serving.background import IndexWorker
from kb.search.serving.indexproc import IndexProcess
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import log_in, make_app, open_kb, post_form


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """An instance holding the sample bundle, closed again: servers below open it afresh."""
    path = tmp_path_factory.mktemp("indexer-process")
    open_kb(path, SAMPLE_BUNDLE).close()
    return path


@pytest.fixture(scope="module")
def server(folder):
    """An app built the way `kb serve` builds it, with the fake embedder from the settings
    (one per module: starting the child indexer is the slow part)."""
    app = create_app(
        {
            "INSTANCE": str(folder),
            "SETTINGS": {"embedder": "fake", "today": "2026-11-01"},
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": False,
        }
    )
    client = app.test_client()
    log_in(client, app.extensions["kb"], "johan.lindqvist", set_password=False)
    yield app.extensions["kb"], client
    app.extensions["kb"].close()


def share(client, title: str, text: str):
    fields = {"title": title, "language": "sv", "visibility": "all"}
    fields["file"] = (io.BytesIO(text.encode()), "fil.txt")
    return post_form(client, "/share", fields, content_type="multipart/form-data")


def test_the_server_indexes_in_a_child_process_at_a_lower_priority(server):
    kb, _ = server
    assert isinstance(kb.indexes.worker, IndexProcess)
    assert kb.indexes.worker.pid not in (None, os.getpid())
    # The child lowers its own priority first thing, before it loads anything.
    deadline = time.monotonic() + 15
    while (
        os.getpriority(os.PRIO_PROCESS, kb.indexes.worker.pid) < 10 and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert os.getpriority(os.PRIO_PROCESS, kb.indexes.worker.pid) >= 10


def test_an_upload_is_found_once_the_child_indexer_has_published_it(server):
    kb, client = server
    share(client, "Fladdermöss", "Pipistrellfladdermus i holken.")
    assert kb.indexes.wait_indexed(60)
    assert "Fladdermöss" in client.get("/?q=pipistrellfladdermus").get_data(as_text=True)


def test_a_killed_indexer_is_started_again_and_the_server_answers_meanwhile(server):
    kb, client = server
    first = kb.indexes.worker.pid
    os.kill(first, 9)
    assert client.get("/api/health").status_code == 200
    assert client.get("/?q=högläsning").status_code == 200
    share(client, "Igelkottar", "Igelkotten sover i lövhögen.")
    assert kb.indexes.wait_indexed(60)
    assert kb.indexes.worker.pid not in (None, first)
    assert "Igelkottar" in client.get("/?q=igelkotten").get_data(as_text=True)


def test_health_and_search_answer_while_another_process_holds_the_index_lock(server):
    kb, client = server
    with open(kb.settings.index_path / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        share(client, "Ekorrar", "Ekorren samlar kottar.")
        assert not kb.indexes.wait_indexed(3)  # the indexer waits for the lock
        started = time.monotonic()
        assert client.get("/api/health").get_json()["status"] == "ok"
        assert client.get("/?q=högläsning").status_code == 200
        assert time.monotonic() - started < 5
    assert kb.indexes.wait_indexed(60)


def test_health_answers_without_touching_the_database(tmp_path):
    kb = open_kb(tmp_path / "kb", SAMPLE_BUNDLE)
    client = make_app(kb).test_client()

    def no_database():
        raise AssertionError("health opened a database session")

    kb.db.sessions = no_database
    assert client.get("/api/health").get_json()["status"] == "ok"
    kb.close()


def test_kb_toml_can_keep_the_indexer_in_a_thread(folder, tmp_path):
    app = create_app(
        {
            "INSTANCE": str(folder),
            "SETTINGS": {"embedder": "fake", "indexer": "thread"},
            "SECRET_KEY": "test-secret",
        }
    )
    assert type(app.extensions["kb"].indexes.worker) is IndexWorker
    app.extensions["kb"].close()


def test_batch_work_runs_at_the_configured_niceness_and_thread_count(tmp_path):
    (tmp_path / "kb.toml").write_text("indexer_nice = 12\nindexer_threads = 1\n")
    code = (
        "import os, sys; from kb.config import load_settings; from kb.service import KnowledgeBase;"
        "kb = KnowledgeBase(load_settings(sys.argv[1], embedder='fake')); kb.indexes.yield_to_serving();"
        "print(os.getpriority(os.PRIO_PROCESS, 0), os.environ['OMP_NUM_THREADS'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == [str(max(12, os.getpriority(os.PRIO_PROCESS, 0))), "1"]


def test_kb_toml_names_a_wrong_indexer_setting(tmp_path):
    (tmp_path / "kb.toml").write_text('indexer = "fork"\n')
    with pytest.raises(ConfigError, match="kb.toml: indexer must be process or thread"):
        load_settings(tmp_path)
