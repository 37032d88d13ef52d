"""`kb vectors export` and `kb vectors import`: an instance takes the vectors another one made
(on a bigger machine, say) instead of embedding the same texts again.

Instance A ingests the sample bundle and exports its vectors; a fresh instance B of the same
bundle imports them before its ingest. B's embedders count what they are asked to embed.
"""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from kb.access import Viewer
from kb.cli import main
from kb.config import load_settings
from kb.search.model.embed import FakeEmbedder
from kb.search.model.sparse import FakeSparseEncoder
from kb.service import KnowledgeBase
from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import SAMPLE_DAY

QUESTIONS = ("högläsning", "hur bedömer vi källkritik", "läsa tillsammans med eleverna")
LEARNED = "vad har vi lärt oss om exit tickets"  # answered with a quoted sentence


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting the passages (and answer sentences) it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.passages = 0

    def embed_passages(self, texts):
        self.passages += len(texts)
        return super().embed_passages(texts)


class CountingSparse(FakeSparseEncoder):
    """The fake latent-term encoder, counting the passages it encodes."""

    def __init__(self) -> None:
        super().__init__()
        self.passages = 0

    def encode_passages(self, texts):
        self.passages += len(texts)
        return super().encode_passages(texts)


def open_instance(folder, answers: bool = True) -> KnowledgeBase:
    settings = load_settings(folder, embedder="fake", today=SAMPLE_DAY, answers=answers)
    return KnowledgeBase(settings, embedder=CountingEmbedder(), sparse_encoder=CountingSparse())


@pytest.fixture
def kb_command(instance_database_url):
    """Run `kb --instance FOLDER ...` in-process with the fake embedder (or another model)."""

    def run(folder, *args: str, embedder: str = "fake"):
        env = {"KB_EMBEDDER": embedder}
        if instance_database_url(folder):
            env["KB_DATABASE_URL"] = instance_database_url(folder)
        return CliRunner().invoke(main, ["--instance", str(folder), *args], env=env)

    return run


@pytest.fixture
def exported(tmp_path, kb_command):
    """Instance A holding the sample bundle (answers on) and the file of its vectors."""
    a = open_instance(tmp_path / "a")
    a.documents.ingest(SAMPLE_BUNDLE)
    file = tmp_path / "a-vectors.npz"
    done = kb_command(tmp_path / "a", "vectors", "export", str(file))
    assert done.exit_code == 0, done.output
    yield a, file
    a.close()


def hits(kb: KnowledgeBase, text: str, method: str) -> list[tuple[str, float]]:
    page = kb.finder.page(Viewer.system(), text, method=method)
    return [(h.source, round(h.score, 6)) for h in page.result.hits]


def quoted(kb: KnowledgeBase, text: str) -> list[str]:
    return [q.text for q in kb.finder.page(Viewer.system(), text).answer]


def test_an_instance_that_imports_anothers_vectors_embeds_nothing_and_finds_the_same(
    tmp_path, exported, kb_command
):
    a, file = exported
    done = kb_command(tmp_path / "b", "vectors", "import", str(file))
    assert done.exit_code == 0, done.output
    b = open_instance(tmp_path / "b")
    try:
        b.documents.ingest(SAMPLE_BUNDLE)
        assert (b.indexes.embedder.passages, b.indexes.sparse_encoder.passages) == (0, 0)
        assert b.indexes.last_sync.imported == len(b.indexes.catalog().chunk_doc)
        for text in QUESTIONS:
            for method in ("dense", "sparse", "convex"):
                assert hits(b, text, method) == hits(a, text, method), (text, method)
        assert quoted(b, LEARNED) == quoted(a, LEARNED) != []
    finally:
        b.close()


def test_texts_not_in_the_file_are_embedded_as_usual(tmp_path, exported, kb_command):
    _, file = exported
    bundle = tmp_path / "bundle"
    shutil.copytree(SAMPLE_BUNDLE, bundle)
    (bundle / "material" / "fladdermoss.md").write_text(
        "---\ntitle: Fladdermöss\nauthors: [karin.sjoberg]\n---\n\nVi satte upp holkar.\n",
        encoding="utf-8",
    )
    assert kb_command(tmp_path / "b", "vectors", "import", str(file)).exit_code == 0
    b = open_instance(tmp_path / "b", answers=False)
    try:
        b.documents.ingest(bundle)
        catalog = b.indexes.catalog()
        [new] = [d for d, info in catalog.docs.items() if info.source.endswith("fladdermoss.md")]
        assert b.indexes.embedder.passages == len(catalog.doc_chunks[new]) > 0
        assert b.indexes.sparse_encoder.passages == len(catalog.doc_chunks[new])
    finally:
        b.close()


def test_a_file_of_another_model_is_refused(tmp_path, exported, kb_command):
    _, file = exported
    done = kb_command(tmp_path / "b", "vectors", "import", str(file), embedder="fake:32")
    assert done.exit_code == 1
    assert "'fake/hashed-words-v1-64' (dim 64)" in done.output
    assert "'fake/hashed-words-v1-32' (dim 32)" in done.output
    assert "nothing was imported" in done.output
    assert not (tmp_path / "b" / "index" / "imported").exists()


@pytest.mark.parametrize("how", ["truncated", "one byte changed"])
def test_a_damaged_file_is_refused_and_the_earlier_import_stays(
    tmp_path, exported, kb_command, how
):
    _, file = exported
    assert kb_command(tmp_path / "b", "vectors", "import", str(file)).exit_code == 0
    installed = tmp_path / "b" / "index" / "imported"
    before = {p.name: p.read_bytes() for p in installed.iterdir()}
    data = bytearray(file.read_bytes())
    if how == "truncated":
        data = data[: len(data) * 2 // 3]
    else:
        data[len(data) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(bytes(data))
    done = kb_command(tmp_path / "b", "vectors", "import", str(damaged))
    assert done.exit_code == 1
    assert "is not a whole vector file" in done.output and "nothing was imported" in done.output
    assert {p.name: p.read_bytes() for p in installed.iterdir()} == before
    assert [p.name for p in installed.parent.iterdir() if p.name.startswith(".imported")] == []
