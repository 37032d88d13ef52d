"""An XSS corpus through every way text gets in: no page ever carries executable markup.

Payloads go in through front matter (title, tags, group, step), Markdown and HTML bodies, file
names, people.yaml (name, role, bio, skills), the upload form, the reflection form and the
query string. Every page is then parsed and checked for anything a browser would run.
"""

from __future__ import annotations

import io
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
import yaml

from tests.helpers import log_in, make_app, post_form

PAYLOADS = [
    '<script>alert("x1")</script>',
    '"><img src=x onerror=alert("x2")>',
    "<svg/onload=alert('x3')>",
    "javascript:alert('x4')",
    "[klick](javascript:alert('x5'))",
    "<iframe src=\"javascript:alert('x6')\"></iframe>",
    "';alert(String.fromCharCode(88,55))//",
    "<a href=\"jAvAsCrIpT:alert('x8')\">länk</a>",
    "{{7*7}}<style>body{background:url(javascript:alert('x9'))}</style>",
    "<object data=\"data:text/html,<script>alert('x10')</script>\"></object>",
]
WORD = "zebrakod"
DANGEROUS_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "frame",
    "frameset",
    "applet",
    "base",
    "style",
    "link",
}


class Finder(HTMLParser):
    """Collect everything in a page a browser would execute or that could load code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction", "data", "xlink:href") and (
                value.startswith(("javascript:", "data:text/html", "vbscript:"))
            ):
                self.found.append(f"<{tag} {name}={value[:30]}>")
        if tag in DANGEROUS_TAGS:
            src = dict(attrs).get("src") or dict(attrs).get("href") or ""
            # The page's own files under /static are the only code and styles allowed.
            if not (tag in ("script", "link") and src.startswith("/static/")):
                self.found.append(f"<{tag}>")
        if tag == "form" and (dict(attrs).get("action") or "").lower().startswith("javascript"):
            self.found.append("<form action=javascript:>")


def executable_markup(html: str) -> list[str]:
    finder = Finder()
    finder.feed(html)
    return finder.found


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A knowledge base whose every field is hostile, and a logged-in client over it."""
    from kb.config import load_settings
    from kb.search.model.embed import FakeEmbedder
    from kb.service import KnowledgeBase

    root = tmp_path_factory.mktemp("xss")
    bundle = root / "bundle"
    (bundle / "material").mkdir(parents=True)
    (bundle / "reflections").mkdir()
    people = [
        # A coordinator, so that the risk and matching pages are checked too.
        {"id": "anna.lind", "name": "Anna Lind", "unit": "Björkskolan", "coordinator": True},
        {
            "id": "per.ek",
            "name": f"Per {PAYLOADS[1]}",
            "unit": PAYLOADS[0],
            "role": PAYLOADS[2],
            "bio": " ".join(PAYLOADS),
            "skills": [{"name": f"{WORD} {PAYLOADS[3]}", "level": 4}],
        },
    ]
    (bundle / "people.yaml").write_text(yaml.safe_dump(people, allow_unicode=True))
    for i, payload in enumerate(PAYLOADS):
        meta = {
            "title": f"{WORD} {payload}",
            "authors": ["per.ek", "anna.lind"],
            "tags": [WORD, payload],
            "language": "sv",
        }
        body = f"# {payload}\n\n{WORD} {payload}\n\n{PAYLOADS[(i + 1) % len(PAYLOADS)]}\n"
        name = f"material/x{i}-{payload[:12]}.md".replace("/", "_").replace("_", "/", 1)
        (bundle / name).write_text(f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n{body}")
    (bundle / "material/sida.html").write_text(
        f"<p>{WORD}</p>" + "".join(PAYLOADS), encoding="utf-8"
    )
    (bundle / "material/sida.html.yaml").write_text(
        yaml.safe_dump({"title": f"{WORD} {PAYLOADS[7]}", "authors": ["per.ek"]})
    )
    meta = {
        "title": f"{WORD} möte {PAYLOADS[0]}",
        "authors": ["per.ek"],
        "group": f"Grupp {PAYLOADS[1]}",
        "step": "följa upp",
        "date": "2026-10-01",
    }
    (bundle / "reflections/2026-10-01-mote.md").write_text(
        f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n## Vad gjorde vi?\n{PAYLOADS[2]}\n"
        f"## Vad tar vi med oss?\n{WORD} {PAYLOADS[4]}\n"
    )
    kb = KnowledgeBase(load_settings(root / "instance", embedder="fake"), embedder=FakeEmbedder())
    kb.documents.ingest(bundle)
    client = make_app(kb).test_client()
    log_in(client, kb, "anna.lind")
    # The forms: an upload with a hostile file name and title, a reflection with hostile fields.
    upload = post_form(
        client,
        "/share",
        {
            "file": (
                io.BytesIO(f"{WORD} {PAYLOADS[0]}".encode()),
                "'><img src=x onerror=alert(1)>.txt",
            ),
            "title": f"{WORD} {PAYLOADS[2]}",
            "tags": PAYLOADS[3],
            "visibility": "all",
        },
        content_type="multipart/form-data",
    )
    assert upload.status_code in (200, 302), upload.get_data(as_text=True)[-3000:]
    yield kb, client
    kb.close()


def pages_of(kb) -> list[str]:
    catalog = kb.indexes.catalog()
    urls = [
        "/",
        f"/?q={WORD}",
        f"/?q={quote(PAYLOADS[0])}",
        f"/?q={quote(PAYLOADS[1])}",
        f"/learned?q={WORD}",
        f"/learned?q={quote(PAYLOADS[2])}",
        "/learned",
        "/people",
        "/people/per.ek",
        "/people/anna.lind",
        "/people/anna.lind/edit",
        f"/experts?q={WORD}",
        f"/experts?q={quote(PAYLOADS[1])}",
        "/risk",
        "/risk?leaving=per.ek",
        "/newcomers",
        "/share",
        "/reflect",
        f"/doc/{quote(PAYLOADS[0])}",
    ]
    urls += [f"/doc/{quote(d.source)}" for d in catalog.docs.values()]
    return urls


def test_every_page_is_free_of_executable_markup(site):
    kb, client = site
    for url in pages_of(kb):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        found = executable_markup(response.get_data(as_text=True))
        assert found == [], f"{url}: {found}"


def test_the_hostile_documents_are_really_shown(site):
    kb, client = site
    html = client.get(f"/?q={WORD}").get_data(as_text=True)
    assert html.count('href="/hit/') >= 5  # each hit, through its click-through
    assert "&lt;script&gt;" in html or "&lt;img" in html


def test_the_json_api_returns_payloads_as_data_with_a_json_content_type(site):
    kb, client = site
    token = kb.people.create_token("anna.lind")
    response = client.get(f"/api/search?q={WORD}", headers={"Authorization": f"Bearer {token}"})
    assert response.content_type.startswith("application/json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_checker_catches_what_it_is_meant_to_catch():
    for sample in (
        '<img src=x onerror="a()">',
        "<script>a()</script>",
        '<a href="JavaScript:a()">x</a>',
        "<iframe></iframe>",
    ):
        assert executable_markup(sample), sample
    assert executable_markup('<script src="/static/kb.js"></script><p>ok</p>') == []
