"""The one payload of the syncs page, the API and nothing else."""

from __future__ import annotations

from urllib.parse import urlsplit

from kb.features.syncs.queries import Syncs


def syncs_payload(found: Syncs) -> dict:
    """Turn the syncs into the API body and the page's context."""
    return {
        "sources": [
            {
                "name": c.name,
                # The address without any user part: the page never shows a credential.
                "url": urlsplit(c.url)._replace(netloc=urlsplit(c.url).hostname or "").geturl(),
                "every_minutes": c.every_minutes,
                "nextcloud": c.nextcloud,
            }
            for c in found.sources
        ],
        "runs": [
            {
                "source": r.source_name,
                "started": r.started,
                "finished": r.finished,
                "status": r.status,
                "counts": dict(r.counts or {}),
                "problems": list(r.problems or []),
                "error": r.error,
            }
            for r in found.runs
        ],
        "refused": [{"file": f, "reason": why, "link": link} for f, why, link in found.refused],
    }
