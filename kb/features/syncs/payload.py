"""The one payload of the syncs page, the API and nothing else."""

from __future__ import annotations

from urllib.parse import urlsplit

from kb.features.syncs.queries import Syncs


def _without_user(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=host).geturl()


def syncs_payload(found: Syncs) -> dict:
    """Turn the syncs into the API body and the page's context."""
    return {
        "sources": [
            {
                "name": c.name,
                # The address without any user part: the page never shows a credential.
                "url": _without_user(c.url),
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
