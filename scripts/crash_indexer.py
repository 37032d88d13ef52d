"""A child process for the crash tests: write and index an instance until someone kills it.

    python scripts/crash_indexer.py ingest INSTANCE BUNDLE SEED   # change the bundle, ingest --prune, repeat
    python scripts/crash_indexer.py sync INSTANCE                 # catch the indexes up, repeat (as `kb serve`)
    python scripts/crash_indexer.py commit INSTANCE               # commit documents one by one, "ok SOURCE" after each
    python scripts/crash_indexer.py hold-locks INSTANCE           # hold the index and keyword write locks

Each mode prints "ready" once the instance is open (its start-up repair done), then works
until killed; the fake embedder keeps it quick. KB_DATABASE_URL picks the database and
KB_KEYWORD_BACKEND the keyword engine, as usual.
tests/test_crash.py kills these with SIGKILL at random points and checks what is left.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = (
    "högläsning",
    "boksamtal",
    "läsförståelse",
    "skolbibliotek",
    "källkritik",
    "matematik",
    "schack",
    "bedömning",
    "elevhälsa",
    "språkutveckling",
    "nyanlända",
    "lärande",
    "kollegialt",
    "arbetslag",
    "rastaktivitet",
    "programmering",
    "hållbarhet",
    "demokrati",
    "värdegrund",
    "bildstöd",
    "lättläst",
    "mentorskap",
)
SYLLABLES = ("ka", "lo", "mi", "ru", "se", "ta", "vo", "ni", "pe", "du", "ga", "fy", "bo", "ly")


def say(line: str) -> None:
    print(line, flush=True)


def open_instance(instance: str):
    from kb.config import load_settings
    from kb.search.model.embed import FakeEmbedder
    from kb.search.model.sparse import FakeSparseEncoder
    from kb.service import KnowledgeBase

    return KnowledgeBase(
        load_settings(instance, embedder="fake"),
        embedder=FakeEmbedder(),
        sparse_encoder=FakeSparseEncoder(),
    )


def marker(rng: random.Random) -> str:
    """A made-up word that names one version of one document."""
    return "".join(rng.choice(SYLLABLES) for _ in range(5))


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_doc(folder: Path, name: str, rng: random.Random) -> None:
    """Write one document with a fresh title word and one to three chunks of text."""
    words = [rng.choice(WORDS) for _ in range(rng.choice((40, 150, 320)))]
    title = marker(rng)
    write_atomically(
        folder / f"{name}.md",
        f"---\ntitle: {title}\nauthors: [anna.lind]\n---\n\n{title} " + " ".join(words) + ".\n",
    )


def change_bundle(bundle: Path, rng: random.Random, serial: list[int]) -> None:
    """Add, edit and delete a few documents of the bundle."""
    folder = bundle / "material"
    existing = sorted(p.stem for p in folder.glob("*.md"))
    for name in rng.sample(existing, min(len(existing), rng.randint(0, 3))):
        (folder / f"{name}.md").unlink()
        existing.remove(name)
    for name in rng.sample(existing, min(len(existing), rng.randint(1, 4))):
        write_doc(folder, name, rng)
    for _ in range(rng.randint(1, 3)):
        serial[0] += 1
        write_doc(folder, f"doc-{os.getpid()}-{serial[0]}", rng)


def ingest_loop(instance: str, bundle: str, seed: str) -> None:
    kb = open_instance(instance)
    kb.indexes.catalog()
    say("ready")
    rng, serial, root = random.Random(seed), [0], Path(bundle)
    while True:
        change_bundle(root, rng, serial)
        kb.documents.ingest(root, prune=True)
        say("ingested")


def sync_loop(instance: str) -> None:
    kb = open_instance(instance)
    kb.indexes.catalog()
    say("ready")
    while True:
        kb.indexes.catalog()
        time.sleep(0.01)


def commit_loop(instance: str) -> None:
    """Commit one document per transaction; acknowledge each only after its commit."""
    from kb.ingest.bundle import read_bundle
    from kb.ingest.store import apply_bundle

    kb = open_instance(instance)
    bundle = Path(instance).parent / f"commit-bundle-{os.getpid()}"
    (bundle / "material").mkdir(parents=True)
    (bundle / "people.yaml").write_text("- id: anna.lind\n  name: Anna Lind\n")
    say("ready")
    for n in range(1, 100_000):
        source = f"material/ack-{n}.md"
        write_atomically(bundle / source, f"---\ntitle: Kvitto {n}\n---\n\nSkrivet {n}.\n")
        with kb.db.write() as session:
            apply_bundle(session, read_bundle(bundle))
        say(f"ok {source}")


def hold_locks(instance: str) -> None:
    """Hold the instance's index lock and the keyword engine's writer (and its lock file)."""
    kb = open_instance(instance)
    kb.indexes.catalog()
    keyword = kb.indexes.keyword
    with kb.indexes.index_lock():
        if keyword.backend == "whoosh":
            writer = keyword.ix.writer(timeout=5.0)
        else:
            writer = keyword.ix.writer(num_threads=1)
        say("ready")
        time.sleep(3600)  # until killed, the writer open
        del writer


def main(argv: list[str]) -> None:
    modes = {
        "ingest": ingest_loop,
        "sync": sync_loop,
        "commit": commit_loop,
        "hold-locks": hold_locks,
    }
    if len(argv) < 2 or argv[0] not in modes:
        raise SystemExit(__doc__)
    modes[argv[0]](*argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
