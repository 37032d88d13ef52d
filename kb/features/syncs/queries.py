"""Gather the configured sources, their last syncs and the files they refuse."""

from __future__ import annotations

from dataclasses import dataclass

from kb.accounts import require_coordinator
from kb.ingest.connectors import state
from kb.ingest.connectors.config import SyncConfig, read_sync_configs
from kb.search.access import Viewer
from kb.service import KnowledgeBase

RUNS_SHOWN = 20


@dataclass(frozen=True)
class Syncs:
    sources: list[SyncConfig]
    runs: list  # SyncRun rows, newest first
    refused: list[tuple[str, str, str | None]]  # (source name/path, why, link)


def syncs(kb: KnowledgeBase, viewer: Viewer) -> Syncs:
    """Return what a coordinator sees of the syncs; raise NotCoordinator for anyone else."""
    require_coordinator(kb, viewer, "the syncs")
    with kb.db.read() as session:
        runs = state.recent_runs(session, RUNS_SHOWN)
        refused = [
            (f"{row.source_name}/{row.path}", row.problem, row.link)
            for row in state.standing_problems(session)
        ]
    return Syncs(read_sync_configs(kb.settings.instance_path), runs, refused)
