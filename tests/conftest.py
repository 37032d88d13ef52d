"""Shared fixtures: instances with the fake embedder, bundles written on the fly."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE_BUNDLE = SHARED / "sample-bundle"
BROKEN_BUNDLE = SHARED / "sample-bundle-broken"
DEMO_BUNDLE = ROOT / "kb" / "demo" / "bundle"


@pytest.fixture
def make_kb(tmp_path):
    """Return a factory of knowledge bases in fresh instance folders, with the fake embedder."""
    from kb.config import load_settings
    from kb.search.embed import FakeEmbedder
    from kb.search.sparse import FakeSparseEncoder
    from kb.service import KnowledgeBase

    opened = []

    def factory(name: str = "instance", **overrides) -> KnowledgeBase:
        kb = KnowledgeBase(load_settings(tmp_path / name, embedder="fake", **overrides),
                           embedder=FakeEmbedder(), sparse_encoder=FakeSparseEncoder())
        opened.append(kb)
        return kb

    yield factory
    for kb in opened:
        kb.close()


@pytest.fixture
def kb(make_kb):
    """A knowledge base holding the shared sample bundle."""
    base = make_kb()
    base.ingest(SAMPLE_BUNDLE)
    return base


class BundleWriter:
    """Write a small bundle file by file, the way a school's folder would look."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.people([
            {"id": "anna.lind", "name": "Anna Lind", "unit": "Björkskolan"},
            {"id": "per.ek", "name": "Per Ek", "unit": "Björkskolan"},
            {"id": "sara.berg", "name": "Sara Berg", "unit": "Ekskolan"},
        ])

    def people(self, entries: list[dict]) -> None:
        import yaml

        (self.root / "people.yaml").write_text(
            yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def write(self, source: str, content: str | bytes) -> Path:
        path = self.root / source
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip(), encoding="utf-8")
        return path

    def doc(self, source: str, body: str = "Text.", **meta) -> Path:
        import yaml

        meta.setdefault("title", Path(source).stem)
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        return self.write(source, f"---\n{front}---\n\n{textwrap.dedent(body).strip()}\n")


@pytest.fixture
def bundle(tmp_path) -> BundleWriter:
    return BundleWriter(tmp_path / "bundle")


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run the `kb` command line in-process against a fresh instance; return the result."""
    from click.testing import CliRunner

    from kb.cli import main

    monkeypatch.setenv("KB_EMBEDDER", "fake")
    instance = tmp_path / "cli-instance"

    def run(*args: str, instance_dir: Path | None = None):
        return CliRunner().invoke(main, ["--instance", str(instance_dir or instance), *args],
                                  catch_exceptions=False)

    return run
