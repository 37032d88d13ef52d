"""Count what one search page request runs: kb's modules and templates, and database sessions.

Usage: python scripts/search_page_touch.py [QUESTION]

It ingests the sample bundle with the fake embedder into a temporary instance, logs Karin in,
asks the question twice to warm the caches, then asks it once more while recording every kb
file whose code runs and every database transaction begun. Not a test: a script that prints.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from tests.helpers import log_in, make_app, open_kb  # noqa: E402


def main() -> None:
    """Ask one search page and print the kb files it ran and the sessions it began."""
    question = sys.argv[1] if len(sys.argv) > 1 else "källkritik"
    kb = open_kb(Path(tempfile.mkdtemp()) / "instance", ROOT.parent / "shared" / "sample-bundle")
    client = make_app(kb).test_client()
    log_in(client, kb, "karin.sjoberg", set_password=False)
    url = f"/?q={quote(question)}"
    for _ in range(2):
        assert client.get(url).status_code == 200
    begun: list[int] = []
    event.listen(Session, "after_begin", lambda *_: begun.append(1))
    package = str(ROOT / "kb")
    ran: set[str] = set()

    def note(frame, what, arg):
        name = frame.f_code.co_filename
        if what == "call" and name.startswith(package):
            ran.add(str(Path(name).relative_to(ROOT)))

    sys.setprofile(note)
    threading.setprofile(note)
    status = client.get(url).status_code
    sys.setprofile(None)
    threading.setprofile(None)
    templates = sorted(f for f in ran if f.endswith(".html"))
    modules = sorted(f for f in ran if f.endswith(".py"))
    print(f"GET {url}: {status}; database sessions begun: {len(begun)}")
    print(f"{len(modules)} kb modules and {len(templates)} templates ran:")
    for name in modules + templates:
        print("  ", name)


if __name__ == "__main__":
    main()
