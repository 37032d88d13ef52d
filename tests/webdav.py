"""A real WebDAV server (wsgidav) on 127.0.0.1 serving a folder, counting the requests."""

from __future__ import annotations

import threading
from pathlib import Path

USER, PASSWORD = "kb-sync", "app-password-for-tests"


class DavServer:
    """wsgidav on waitress in a thread; `gets` lists the paths of every GET it answered."""

    def __init__(self, root: Path) -> None:
        from waitress import create_server
        from wsgidav.wsgidav_app import WsgiDAVApp

        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        app = WsgiDAVApp(
            {
                "provider_mapping": {"/dav": str(root)},
                "simple_dc": {"user_mapping": {"*": {USER: {"password": PASSWORD}}}},
                "http_authenticator": {
                    "domain_controller": None,
                    "accept_basic": True,
                    "accept_digest": False,
                    "default_to_digest": False,
                },
                "verbose": 0,
                "logging": {"enable": False},
                "dir_browser": {"enable": False},
                "lock_storage": True,
            }
        )
        self.gets: list[str] = []
        self.propfinds: list[str] = []
        # Paths (and what lies below them) answered with 503, as a server in trouble does.
        self.failing: set[str] = set()

        def counting(environ, start_response):
            method = environ["REQUEST_METHOD"]
            # WSGI hands the path over as Latin-1: the UTF-8 bytes the client sent.
            path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
            if any(path == f or path.startswith(f.rstrip("/") + "/") for f in self.failing):
                start_response("503 Service Unavailable", [("Content-Length", "0")])
                return [b""]
            if method == "GET":
                self.gets.append(path)
            elif method == "PROPFIND":
                self.propfinds.append(path)
            return app(environ, start_response)

        self._server = create_server(counting, host="127.0.0.1", port=0, threads=4)
        self.port = self._server.effective_port
        self.url = f"http://127.0.0.1:{self.port}/dav"
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()

    def put(self, path: str, data: bytes | str) -> Path:
        """Write a file into the served folder (as a colleague saving it in Nextcloud)."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)
        return target

    def reset_counts(self) -> None:
        self.gets.clear()
        self.propfinds.clear()

    def close(self) -> None:
        self._server.close()


def sync_toml(url: str, name: str = "skolmoln", extra: str = "") -> str:
    """Return a kb.toml [[sync]] entry for a test server (plain HTTP on 127.0.0.1 only)."""
    return (
        f'[[sync]]\nname = "{name}"\nurl = "{url}"\nuser = "{USER}"\n'
        'password_env = "KB_TEST_DAV_PASSWORD"\nallow_http = true\n'
        f"requests_per_second = 2000\n{extra}"
    )
