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
    md = _markdown()
    tokens = md.parse(text or "")
    for token in tokens:
        # The page title is the only h1; the document's own headings sit below it.
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return clean_html(md.renderer.render(tokens, md.options, {}))


# The one allow-list for HTML kb shows from a document (Markdown, HTML and DOCX files alike):
# structure and emphasis only. No images, forms, frames, styles, classes or ids: nothing that
# runs, loads something or dresses up as part of kb's own page.
ALLOWED_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "dd",
        "del",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
)
ALLOWED_ATTRIBUTES = {
    "*": {"lang", "title"},
    "a": {"href"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
# Elements dropped with everything inside them (the rest lose the tag and keep their text).
DROPPED_WITH_CONTENT = frozenset(
    [
        "head",
        "title",
        "script",
        "style",
        "template",
        "noscript",
        "svg",
        "math",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "canvas",
        "audio",
        "video",
        "select",
        "textarea",
        "button",
    ]
)
HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)


def clean_html(html: str) -> str:
    """Keep only the allow-listed structure of HTML; links get safe schemes and rel."""
    import nh3

    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def settle_headings(html: str, title: str) -> str:
    """Fit a document's headings under the page title: its own copy of the title goes, and
    when an h1 remains every heading moves one level down (the page has one h1)."""
    first = HEADING.search(html)
    if first and _plain(first.group(2)) == _plain(title):
        html = html[: first.start()] + html[first.end() :]
    if not re.search(r"<h1>", html):
        return html
    return re.sub(r"<(/?)h([1-6])>", lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}>", html)


def _plain(fragment: str) -> str:
    import html as entities

    return " ".join(entities.unescape(re.sub(r"<[^>]+>", "", fragment)).split()).casefold()


def paragraphs(text: str) -> list[str]:
    """Split plain text into paragraphs at blank lines."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
