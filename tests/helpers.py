"""Helpers for tests of the pages: an app over a knowledge base, colleagues who can log in."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from kb import accounts

PASSWORD = "rätt-lösenord-123"
CSRF = re.compile(r'name="(?:[a-z]+-)?csrf_token" type="hidden" value="([^"]+)"')


def make_app(kb, **config):
    """Build the app over an existing knowledge base, rate limits off unless asked for."""
    from kb.app import create_app

    settings = {
        "INSTANCE": str(kb.settings.instance_path),
        "KB": kb,
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "RATELIMIT_ENABLED": False,
    }
    settings.update(config)
    return create_app(settings)


@contextmanager
def serving(app, host: str = "127.0.0.1"):
    """Serve a WSGI app from a thread on a free port; yield the werkzeug server."""
    from werkzeug.serving import make_server

    httpd = make_server(host, 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        thread.join(timeout=5)


def csrf_token(html: str) -> str:
    """Return the first CSRF token in a page."""
    match = CSRF.search(html)
    if not match:
        raise AssertionError("no CSRF token on the page")
    return match.group(1)


def log_in(client, kb, person_id: str, password: str = PASSWORD, set_password: bool = True):
    """Give a colleague a password (unless told not to) and log in through the form."""
    if set_password:
        accounts.set_password(kb, person_id, password)
    page = client.get("/login").get_data(as_text=True)
    return client.post(
        "/login", data={"handle": person_id, "password": password, "csrf_token": csrf_token(page)}
    )


def client_for(app, kb, person_id: str):
    """Return a test client of `app`, logged in as a colleague who has a password."""
    client = app.test_client()
    log_in(client, kb, person_id, set_password=False)
    return client


def bearer(kb, person_id: str) -> dict:
    """Return the Authorization header of a fresh API token of a colleague."""
    return {"Authorization": f"Bearer {kb.people.create_token(person_id)}"}


def logged_in_client(kb, person_id: str):
    """Return a test client of a fresh app, logged in as a colleague who has a password."""
    client = make_app(kb).test_client()
    log_in(client, kb, person_id, set_password=False)
    return client


def post_form(client, url: str, data: dict, **kwargs):
    """Fetch a form page and post it back with its CSRF token."""
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(page), **data}, **kwargs)


_ROOT = Path(__file__).resolve().parent.parent
# Bundles nobody writes to while tests run: their ingested instances can be copied.
SHIPPED_BUNDLES = {
    (_ROOT.parent / "shared" / "sample-bundle").resolve(),
    (_ROOT / "kb" / "demo" / "bundle").resolve(),
}

# The day the sample bundle describes: its newcomers are new on that day, whenever tests run.
SAMPLE_DAY = "2026-11-01"


# Set by conftest under KB_TEST_DATABASE_URL: copy one instance folder's database to another.
clone_database: Callable[[Path, Path], None] | None = None
_templates: dict[tuple, Path] = {}
_template_root: Path | None = None


def ingested_copy(folder, bundle, make: Callable, key: tuple = ()):
    """Open make(folder) holding bundle: ingest it once per test run, then copy that instance.

    A shipped bundle (the sample or the demo) gives the same instance every time, so the
    first test pays for the ingest and later ones copy its folder (and its database). A spec
    that runs on another keyword engine (KB_KEYWORD_BACKEND) gets a template of its own.
    """
    global _template_root
    folder = Path(folder)
    wanted = (str(bundle), os.environ.get("KB_KEYWORD_BACKEND", ""), *key)
    template = _templates.get(wanted)
    if template is None:
        if _template_root is None:
            _template_root = Path(tempfile.mkdtemp(prefix="kb-templates-"))
            atexit.register(shutil.rmtree, _template_root, ignore_errors=True)
        template = _template_root / f"t{len(_templates)}" / folder.name
        base = make(template)
        base.documents.ingest(bundle)
        base.close()
        _templates[wanted] = template
    shutil.copytree(template, folder, dirs_exist_ok=True)
    if clone_database is not None:
        clone_database(template, folder)
    return make(folder)


def open_kb(
    folder,
    bundle,
    people=("karin.sjoberg", "johan.lindqvist", "elin.forsberg", "noah.berg"),
    today: str = SAMPLE_DAY,
):
    """Open a knowledge base in folder with a bundle, the fake embedder and passwords set."""
    from kb.config import load_settings
    from kb.search.model.embed import FakeEmbedder
    from kb.service import KnowledgeBase

    def make(where):
        return KnowledgeBase(
            load_settings(where, embedder="fake", today=today), embedder=FakeEmbedder()
        )

    if Path(bundle).resolve() in SHIPPED_BUNDLES:
        base = ingested_copy(folder, bundle, make, key=(str(today),))
    else:
        base = make(folder)
        base.documents.ingest(bundle)
    for person in people:
        accounts.set_password(base, person, PASSWORD)
    return base
