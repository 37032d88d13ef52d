"""Markdown and HTML: flattened to plain text for search, or rendered to safe page HTML."""

from __future__ import annotations

import re


def _markdown():
    """Return the one Markdown set-up kb uses: CommonMark with tables, raw HTML off."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown_to_text(markdown: str) -> str:
    """Render Markdown and flatten it to plain text."""
    return html_to_text(_markdown().render(markdown))


def html_to_text(html: str) -> str:
    """Flatten HTML to readable plain text (scripts and styles dropped)."""
    from inscriptis import get_text

    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return tidy(get_text(html))


def tidy(text: str) -> str:
    """Collapse runs of blank lines and trailing spaces."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def render_markdown(text: str) -> str:
    """Render Markdown to clean HTML: raw HTML is never passed through, headings start at h2."""
    import nh3

    md = _markdown()
    tokens = md.parse(text or "")
    for token in tokens:
        # The page title is the only h1; the document's own headings sit below it.
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    html = md.renderer.render(tokens, md.options, {})
    return nh3.clean(
        html, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow"
    )


def paragraphs(text: str) -> list[str]:
    """Split plain text into paragraphs at blank lines."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
