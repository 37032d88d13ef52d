"""The facade the web app and the command line share: one object per instance, made of
named services (kb/services) that each own one part of what kb can do."""

from __future__ import annotations

import json

from kb.config import Settings, load_settings
from kb.db import Database
from kb.limits import EMBED_BATCH_CHILD
from kb.search.model.backends import make_embedder, make_sparse_encoder
from kb.search.model.embed import Embedder
from kb.search.model.sparse import SparseEncoder
from kb.search.serving.indexproc import lower_priority, serve_child
from kb.search.serving.snapshots import IndexSnapshots
from kb.services.documents import Documents
from kb.services.expertise import Expertise
from kb.services.finder import Finder
from kb.services.people import People, UnknownPerson, hash_token  # noqa: F401 (named here)
from kb.services.upkeep import Upkeep


class KnowledgeBase:
    """Everything kb can do for one instance, one service for each part.

    - `db`: the database (`read()`, `write()`);
    - `indexes`: the keyword, vector and sparse indexes and the catalog searches read;
    - `people`: viewers, names, tokens; `documents`: the store, ingest, export, sync;
    - `finder`: searches; `upkeep`: review dates, search gaps, material requests;
    - `expertise`: experts, the colleagues the mentor rules weigh, mentorships.
    """

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        sparse_encoder: SparseEncoder | None = None,
    ) -> None:
        self.settings = settings
        settings.instance_path.mkdir(parents=True, exist_ok=True)
        self.db = Database(settings.database_url)
        embedder = embedder or make_embedder(settings.embedder, settings.precision)
        # Unless given one, the encoder that goes with the configured embedder (if it has one);
        # the torch engine's encoder shares the embedder's forward pass.
        sparse_encoder = sparse_encoder or make_sparse_encoder(settings.embedder, embedder)
        self.indexes = IndexSnapshots(settings, self.db, embedder, sparse_encoder)
        self.people = People(settings, self.db)
        self.documents = Documents(settings, self.db, self.indexes, self.people)
        self.upkeep = Upkeep(settings, self.db, self.indexes, self.people)
        self.expertise = Expertise(settings, self.db, self.indexes, self.people)
        self.finder = Finder(
            settings, self.db, self.indexes, self.people, self.documents, self.upkeep
        )

    @classmethod
    def run_indexer_child(cls, lines, out) -> None:
        """Be a server's child indexer: settings from the first line, then one nudge a line."""
        values = json.loads(next(iter(lines)))
        settings = load_settings(values.pop("instance_path"), **values)
        lower_priority(settings.indexer_nice, settings.indexer_threads)
        kb = cls(settings)
        indexes = kb.indexes
        indexes.embed_batch = EMBED_BATCH_CHILD

        def start(emit):
            def on_round(report) -> None:
                emit(
                    {
                        "changed": bool(getattr(report, "changed", False)),
                        "generation": list(indexes.indexed_generation or ()),
                        "error": indexes.worker.last_error,
                    }
                )

            # A child serves no search: its server picks up what it saves (fill-in).
            return indexes.start_indexer(
                on_round=on_round, on_start=lambda: emit({"busy": True}), watch=False
            )

        try:
            serve_child(start, lines, out)
        finally:
            kb.close()

    def close(self) -> None:
        self.upkeep.close()
        self.indexes.close()
        self.db.close()
