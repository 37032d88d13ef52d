"""Renderings of originals for their pages, kept in the instance folder as derived data.

A rendering is made once per file content (its SHA-256) and version of the renderings
(kb.ingest.formats.RENDER_VERSION), in the sandbox, and read from disk after that; deleting
the folder only costs time. A file the renderer refuses is remembered as refused, so a hostile
file costs one sandbox run, not one per view; kb being busy is not remembered.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from kb.files import replace_bytes
from kb.ingest.extract import ExtractionError
from kb.ingest.formats import RENDER_VERSION
from kb.limits import MAX_PREVIEW_PAGES

Renderer = Callable[..., dict]  # (task, fmt, data, page=0) -> the sandbox's answer
PASSING = ("busy", "unavailable")  # refusals that say nothing about the file


class Previews:
    """Page HTML of the formats shown as HTML, page texts and images of PDFs, cached."""

    def __init__(self, root: Path, renderer: Renderer | None = None) -> None:
        self.root = root
        if renderer is None:
            from kb.ingest.sandbox import render_safely

            renderer = render_safely
        self.renderer = renderer

    def html(self, fmt: str, data: bytes) -> str | None:
        """Return a file as allow-listed HTML, or None when it cannot be shown."""
        found = self._cached(
            data, "doc.html", lambda: self._ask("html", fmt, data)["text"], check=_text
        )
        return found.decode("utf-8") if found is not None else None

    def pdf_pages(self, data: bytes) -> list[str] | None:
        """Return the text of each page of a PDF, or None when it cannot be shown."""

        def make() -> str:
            return json.dumps(self._ask("pages", "pdf", data)["pages"], ensure_ascii=False)

        found = self._cached(data, "pages.json", make, check=_page_list)
        return json.loads(found) if found is not None else None

    def page_image(self, data: bytes, number: int) -> bytes | None:
        """Return page `number` of a PDF as PNG, or None when there is no such page to show."""
        pages = self.pdf_pages(data)
        if pages is None or not 1 <= number <= min(len(pages), MAX_PREVIEW_PAGES):
            return None

        def make() -> bytes:
            return base64.b64decode(self._ask("image", "pdf", data, number)["image"])

        return self._cached(data, f"page-{number}.png", make)

    def _ask(self, task: str, fmt: str, data: bytes, page: int = 0) -> dict:
        return self.renderer(task, fmt, data, page=page)

    def _cached(
        self, data: bytes, name: str, make: Callable[[], str | bytes], check=None
    ) -> bytes | None:
        """Return a preview from the cache, made (and kept) when missing or damaged:
        `check(content)` tells whether a cached one can be used."""
        digest = hashlib.sha256(data).hexdigest()
        folder = self.root / f"v{RENDER_VERSION}" / digest[:2] / digest
        path, refused = folder / name, folder / f"{name}.refused"
        if path.exists():
            content = path.read_bytes()
            if _intact(path, content) and (check is None or check(content)):
                return content
            path.unlink(missing_ok=True)  # damaged (derived state): made again below
        if refused.exists():
            return None
        try:
            made = make()
        except ExtractionError as exc:
            if exc.reason not in PASSING:
                _write(refused, str(exc).encode("utf-8"))
            return None
        content = made.encode("utf-8") if isinstance(made, str) else made
        _write(_digest_path(path), hashlib.sha256(content).hexdigest().encode())
        _write(path, content)
        return content


def _digest_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.sha256")


def _intact(path: Path, content: bytes) -> bool:
    """Tell whether a cached file still has the digest written beside it (older caches have
    none: taken as they are)."""
    try:
        digest = _digest_path(path).read_text().strip()
    except OSError:
        return True
    return digest == hashlib.sha256(content).hexdigest()


def _text(content: bytes) -> bool:
    """Tell whether a cached page is readable text (not bytes a damaged disk left)."""
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(content)


def _page_list(content: bytes) -> bool:
    """Tell whether cached page texts are a JSON list of texts."""
    try:
        pages = json.loads(content)
    except ValueError:
        return False
    return isinstance(pages, list) and all(isinstance(p, str) for p in pages)


def _write(path: Path, content: bytes) -> None:
    """Write a file whole or not at all (two viewers may render the same file at once)."""
    replace_bytes(path, content)
