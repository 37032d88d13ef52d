"""The indexer lives and dies with its server, and a dying indexer's work is kept.

A real `kb serve` on an instance whose passages all still need embedding (by the fake
embedder at 40 ms a passage: a long run) is killed, alternately with SIGKILL and SIGTERM,
while its indexer is busy. Each time no indexer is alive 5 s after the server, the next
server finds a document shared after its start within 15 s, and the passages embedded
before the kill are kept, not embedded again. KB_KILL_ROUNDS sets the rounds (10 for a
soak; 4 by default).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from kb import accounts
from kb.config import load_settings
from kb.search.indexes.locks import holder
from kb.service import KnowledgeBase
from tests.conftest import BundleWriter
from tests.helpers import PASSWORD
from tests.servers import Colleague, Server, is_alive, is_indexer, kill_all, run_kb, server_env

ROUNDS = int(os.environ.get("KB_KILL_ROUNDS", "4"))
WORDS = ("högläsning", "boksamtal", "källkritik", "matematik", "schack", "bedömning", "rast")


@pytest.fixture
def instance(tmp_path, instance_database_url):
    """About 1,500 passages stored, none embedded yet; a colleague with a password and token."""
    bundle = BundleWriter(tmp_path / "bundle")
    rng = random.Random(7)
    for n in range(300):
        body = " ".join(rng.choice(WORDS) for _ in range(880))
        bundle.doc(f"material/lang-{n}.md", body, title=f"Långt dokument {n}", authors=["per.ek"])
    folder = tmp_path / "instance"
    kb = KnowledgeBase(load_settings(folder, embedder="fake"))
    kb.documents.ingest(bundle.root)
    accounts.set_password(kb, "per.ek", PASSWORD)
    token = kb.people.create_token("per.ek")
    kb.close()
    for leg in ("vectors", "sparse"):
        shutil.rmtree(folder / "index" / leg)
    env = server_env(instance_database_url(folder))
    env["KB_EMBEDDER"] = "fake-slow:40"
    return folder, token, env


def embedded(folder) -> int:
    """Count the passages the vector index on disk holds."""
    import json

    try:
        return json.loads((folder / "index" / "vectors" / "vectors.json").read_text())["count"]
    except (OSError, ValueError):
        return 0


def kill_while_indexing(folder, env, token, n: int, pids: list[int]) -> tuple[float, float]:
    """Start a server, share a document, kill it (SIGKILL or SIGTERM) while its indexer is
    busy; return how long the shared one took to be found and the indexer to be gone."""
    server = Server(folder, env, name=f"round{n}")
    try:
        server.wait_for(server.healthy, 10, "health")
        server.wait_for(lambda: "passages to embed" in server.log(), 20, "embedding")
        word = f"fladdermusholk{n}"
        Colleague(server, "per.ek").share(f"Holkar {n}", f"Vi satte upp en {word} vid skolan.")
        shared = time.monotonic()
        server.wait_for(lambda: server.search(token, word)["total"] > 0, 20, "the shared one")
        found = time.monotonic() - shared
        time.sleep(1.5)  # embedding well under way
        pids += server.indexer_pids()
        assert server.indexer_pids(), f"round {n}: no indexer process:\n{server.log()}"
        how = signal.SIGKILL if n % 2 == 0 else signal.SIGTERM
        server.signal(how)
        gone = time.monotonic()
        while any(is_indexer(p) for p in pids) and time.monotonic() - gone < 10:
            time.sleep(0.1)
        lived = time.monotonic() - gone
    finally:
        server.stop()
    print(
        f"\nround {n} ({how.name}): shared one found in {found:.1f} s, indexer gone {lived:.1f} s"
    )
    return found, lived


def test_no_indexer_outlives_its_server_and_its_work_is_kept(instance):
    folder, token, env = instance
    kept, pids = [], []
    try:
        for n in range(ROUNDS):
            found, lived = kill_while_indexing(folder, env, token, n, pids)
            assert found < 15, f"round {n}: the shared document was found after {found:.1f} s"
            assert lived < 5, f"round {n}: an indexer outlived its server by {lived:.1f} s"
            kept.append(embedded(folder))
    finally:
        kill_all(pids)
    # Each round went on from where the one before stopped.
    assert all(a < b for a, b in zip(kept, kept[1:], strict=False)), kept
    # Every document shared is still there.
    env = {**env, "KB_EMBEDDER": "fake"}
    assert "Holkar 0" in run_kb(folder, env, "search", "fladdermusholk0", "--as", "per.ek")


STAND_IN = """
import os, sys, time
from pathlib import Path
from kb.search.indexes.locks import file_lock
held, tell = os.pipe()
if os.fork():  # the parent leaves once the child holds the lock: an orphan holding it
    os.read(held, 1)
    os._exit(0)
with file_lock(Path(sys.argv[1])):
    os.write(tell, b"x")
    time.sleep(600)
"""


def test_a_new_server_takes_the_lock_over_from_an_indexer_whose_server_is_gone(instance):
    folder, token, env = instance
    # A stand-in for an indexer left by an older kb: named `indexer`, holding the index lock,
    # its parent gone, and deaf to the end of its input.
    subprocess.run(
        [sys.executable, "-c", STAND_IN, str(folder / "index" / ".lock"), "indexer"],
        env=env,
        check=True,
    )
    deadline = time.monotonic() + 10
    while holder(folder / "index" / ".lock") is None and time.monotonic() < deadline:
        time.sleep(0.1)
    orphan = holder(folder / "index" / ".lock")
    assert orphan is not None
    server = Server(folder, {**env, "KB_EMBEDDER": "fake"})
    try:
        server.wait_for(server.healthy, 10, "health")
        server.wait_for(
            lambda: server.search(token, "högläsning")["rebuilding"] == [], 30, "every leg"
        )
        assert not is_alive(orphan[0])
    finally:
        server.stop()
        kill_all([orphan[0]])


def test_an_indexer_whose_server_dies_while_it_is_still_starting_stops_too(instance):
    folder, _token, env = instance
    pids = []
    try:
        for n, how in enumerate((signal.SIGKILL, signal.SIGTERM, signal.SIGKILL)):
            server = Server(folder, env, name=f"early{n}")
            deadline = time.monotonic() + 30
            while not server.indexer_pids() and time.monotonic() < deadline:
                time.sleep(0.02)
            found = server.indexer_pids()
            assert found, server.log()
            pids += found
            server.signal(how)  # the child is still importing: no parent-death signal set yet
            server.stop()
            gone = time.monotonic()
            while any(is_indexer(p) for p in found) and time.monotonic() - gone < 10:
                time.sleep(0.1)
            assert time.monotonic() - gone < 5, f"{how.name}: the indexer outlived its server"
    finally:
        kill_all(pids)
