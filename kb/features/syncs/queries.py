"""Gather the configured sources, their last syncs and the files they refuse."""

from __future__ import annotations

from dataclasses import dataclass

from kb.access import Viewer
from kb.accounts import require_coordinator
from kb.ingest.connectors.config import SyncConfig, read_sync_configs
from kb.service import KnowledgeBase
from kb.services.documents import SyncRunView

RUNS_SHOWN = 20


@dataclass(frozen=True)
class Syncs:
    sources: list[SyncConfig]
    runs: list[SyncRunView]  # newest first
    refused: list[tuple[str, str, str | None]]  # (source name/path, why, link)


def syncs(kb: KnowledgeBase, viewer: Viewer) -> Syncs:
    """Return what a coordinator sees of the syncs; raise NotCoordinator for anyone else."""
    require_coordinator(kb, viewer, "the syncs")
    runs, refused = kb.documents.sync_state(RUNS_SHOWN)
    return Syncs(read_sync_configs(kb.settings.instance_path), runs, refused)
