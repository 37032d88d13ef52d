"""Real-browser fixtures: the app on a local port, Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_BUNDLE
from tests.helpers import PASSWORD

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
AXE = Path(__file__).with_name("axe.min.js")
# Screenshots go to a scratch folder; KB_SCREENSHOTS=docs/screenshots refreshes the tracked ones.
SCREENSHOTS = Path(
    os.environ.get("KB_SCREENSHOTS") or Path(tempfile.gettempdir()) / "kb-screenshots"
)
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real Chromium against a live server")


def find_chromium() -> str | None:
    """Return Debian's Chromium (or KB_CHROMIUM), or None when there is none."""
    for candidate in (
        os.environ.get("KB_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip("no Chromium found (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def live_kb(tmp_path_factory):
    """A knowledge base with the sample bundle, the fake embedder and colleagues who can log in."""
    from kb import accounts
    from tests.helpers import open_kb

    base = open_kb(tmp_path_factory.mktemp("browser-instance"), SAMPLE_BUNDLE)
    accounts.set_coordinator(base, "karin.sjoberg")
    yield base
    base.close()


@pytest.fixture(scope="session")
def server(live_kb):
    """Serve the app on 127.0.0.1 and a free port from a thread; yield its base URL."""
    from werkzeug.serving import make_server

    from tests.helpers import make_app

    # The limiter stays on, with room for every log-in the tests make.
    app = make_app(live_kb, TESTING=False, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="500/minute")
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


class Visit:
    """A page that remembers CSP complaints, logs in, checks axe and takes screenshots."""

    def __init__(self, page, base: str) -> None:
        self.page = page
        self.base = base
        self.csp_errors: list[str] = []
        page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)

    def goto(self, path: str):
        return self.page.goto(self.base + path)

    def log_in(self, person_id: str = "karin.sjoberg", password: str = PASSWORD) -> None:
        self.goto("/login")
        self.page.get_by_label("E-post eller användarnamn").fill(person_id)
        self.page.get_by_label("Lösenord").fill(password)
        self.page.get_by_role("button", name="Logga in").click()
        self.page.wait_for_url(self.base + "/")

    def axe_violations(self) -> list[dict]:
        """Run axe-core (WCAG 2.1 A and AA rules) on the page; return the violations."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, which the page's CSP does not govern.
            self.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
        )
        return [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


@pytest.fixture
def visit(context, server) -> Visit:
    return Visit(context.new_page(), server)


@pytest.fixture
def colleague(visit) -> Visit:
    """A page where Karin Sjöberg (a coordinator) is logged in."""
    visit.log_in()
    return visit
