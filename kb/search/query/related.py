"""Documents related to one document, by the same passage vectors search uses."""

from __future__ import annotations

import numpy as np

from kb.access import Viewer
from kb.catalog import Catalog


def related_documents(
    catalog: Catalog, vectors, viewer: Viewer, doc_id: int, limit: int = 5
) -> list[int]:
    """Return up to `limit` ids of documents the viewer may open, nearest to doc_id first.

    The document is its passages' mean vector m; another document d scores
    max over its passages p of cos(m, p), and only documents the viewer may open are scanned.
    """
    own = catalog.doc_chunks.get(doc_id)
    if vectors is None or not own or not len(vectors):
        return []
    rows = vectors.vectors_of(own)
    if not len(rows):
        return []
    mean = rows.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    if norm == 0.0:
        return []
    others = [d for d in catalog.visible(viewer) if d != doc_id]
    allowed = catalog.chunk_ids(others)
    if not len(allowed):
        return []
    best: dict[int, float] = {}
    for chunk_id, score in vectors.search(mean / norm, limit * 8, allowed):
        doc = catalog.chunk_doc.get(chunk_id)
        if doc is not None and doc != doc_id and score > best.get(doc, -np.inf):
            best[doc] = score
    return sorted(best, key=lambda d: (-best[d], d))[:limit]
