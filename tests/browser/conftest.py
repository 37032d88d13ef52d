"""Real-browser fixtures: the app on a local port, Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import tempfile
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
PHONE = {"width": 390, "height": 844}
WIDTHS = {"wide": VIEWPORT, "phone": PHONE}
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
    from tests.helpers import make_app, serving

    # The limiter stays on, with room for every log-in the tests make.
    app = make_app(live_kb, TESTING=False, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="500/minute")
    with serving(app) as httpd:
        yield f"http://127.0.0.1:{httpd.server_port}"


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where screenshots go: KB_SCREENSHOTS (e.g. docs/screenshots) when set, else a tmp dir,
    so a test run never rewrites tracked files."""
    return SCREENSHOTS


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def karins_session(browser, server, screenshots) -> dict:
    """Karin Sjöberg's log-in, made once: the cookies a logged-in browser holds."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
    Visit(ctx.new_page(), server, screenshots).log_in()
    state = ctx.storage_state()
    ctx.close()
    return state


@pytest.fixture
def visit_at(browser, server, screenshots, karins_session):
    """Return a page at a width ("wide" or "phone"), logged in as Karin unless told not to."""
    opened = []

    def make(width: str, logged_in: bool = True) -> Visit:
        ctx = browser.new_context(
            viewport=WIDTHS[width],
            locale="sv-SE",
            storage_state=karins_session if logged_in else None,
        )
        ctx.set_default_timeout(15_000)
        opened.append(ctx)
        return Visit(
            ctx.new_page(), server, screenshots, suffix="" if width == "wide" else "-phone"
        )

    yield make
    for ctx in opened:
        ctx.close()


class Visit:
    """A page that remembers CSP complaints, logs in, checks axe and takes screenshots."""

    def __init__(self, page, base: str, screenshots: Path = SCREENSHOTS, suffix: str = "") -> None:
        self.page = page
        self.base = base
        self.screenshots = screenshots
        self.suffix = suffix
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
        self.screenshots.mkdir(parents=True, exist_ok=True)
        path = self.screenshots / f"{name}{self.suffix}.png"
        self.page.screenshot(path=str(path), full_page=False)

    def overflow(self) -> dict:
        """Return how many pixels the page is wider than the viewport, and the widest
        elements sticking out ({} when it fits)."""
        return self.page.evaluate(
            """() => {
              const root = document.documentElement, excess = root.scrollWidth - root.clientWidth;
              if (excess <= 0) return {};
              const out = [...document.querySelectorAll("body *")]
                .filter(e => e.getBoundingClientRect().right > root.clientWidth + 0.5)
                .slice(-5).map(e => e.tagName + "." + e.className);
              return {excess, out};
            }"""
        )


@pytest.fixture
def visit(context, server, screenshots) -> Visit:
    return Visit(context.new_page(), server, screenshots)


@pytest.fixture
def colleague(visit) -> Visit:
    """A page where Karin Sjöberg (a coordinator) is logged in."""
    visit.log_in()
    return visit
