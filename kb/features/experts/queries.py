"""Rank who knows about a question for one asker (the gathering lives in kb.expertise.gather,
reached through the facade, so that other features can ask it too)."""

from __future__ import annotations

from kb.access import Viewer
from kb.expertise.experts import Expert
from kb.service import KnowledgeBase


def experts(kb: KnowledgeBase, viewer: Viewer, question: str, limit: int = 10) -> list[Expert]:
    """Rank who knows about a question from what the asker may open and declared skills."""
    return kb.expertise.experts(viewer, question, limit)
