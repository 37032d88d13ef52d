"""The keyword index read by many request threads at once, as the web server does."""

from __future__ import annotations

import random
import sys
import threading

import pytest

from kb.search.indexes.backends import BACKENDS, make_keyword_index
from kb.search.indexes.keywords import KeywordDoc

WORDS = [
    "boksamtal",
    "läsning",
    "exit",
    "tickets",
    "bedömning",
    "källkritik",
    "matematik",
    "utomhus",
    "programmering",
    "nyanlända",
    "elevhälsa",
    "trygghet",
    "fritidshem",
    "mentorskap",
    "skolbibliotek",
    "högläsning",
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_many_threads_searching_one_index_at_once_each_get_their_own_answers(tmp_path, backend):
    rng = random.Random(7)
    index = make_keyword_index(tmp_path / "index", backend)
    docs = [
        KeywordDoc(i, 1, f"Dokument {i}", "", " ".join(rng.choice(WORDS) for _ in range(400)))
        for i in range(1, 301)
    ]
    for start in range(0, len(docs), 30):  # many segments, as after an ingest in batches
        index.apply(docs[start : start + 30], [])
    alone = {w: [h.doc_id for h in index.search(w, None, 20)] for w in WORDS}
    failures: list[str] = []
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show at once
    try:

        def ask(seed: int) -> None:
            pick = random.Random(seed)
            for _ in range(60):
                word = pick.choice(WORDS)
                try:
                    found = [h.doc_id for h in index.search(word, None, 20)]
                except Exception as exc:  # a torn read surfaces as any error of the engine's
                    failures.append(f"{word}: {exc!r}")
                    return
                if found != alone[word]:
                    failures.append(f"{word}: another answer")

        threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert failures == []
