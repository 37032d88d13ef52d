"""A real `kb serve` in a child process, for specs about starting, dying and starting again,
and about several servers on one database; a colleague who uses one through its pages."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import URLError
from urllib.parse import unquote, urlencode
from urllib.request import Request, urlopen

import requests

from tests.conftest import ROOT
from tests.helpers import PASSWORD, csrf_token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str | None) -> dict[str, str]:
    """The environment of a child `kb`: the fake embedder, this instance's database."""
    env = {k: v for k, v in os.environ.items() if k not in ("KB_INSTANCE", "KB_DATABASE_URL")}
    env.update(KB_EMBEDDER="fake", HF_HUB_OFFLINE="1")
    env.pop("KB_TEST_DATABASE_URL", None)
    if database_url:
        env["KB_DATABASE_URL"] = database_url
    return env


def run_kb(folder: Path, env: dict[str, str], *args: str) -> str:
    """Run one `kb` command on an instance; return its output."""
    done = subprocess.run(
        [sys.executable, "-m", "kb.cli", "--instance", str(folder), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class Server:
    """`kb serve` on a free port, its output in a log file beside the instance."""

    def __init__(self, folder: Path, env: dict[str, str], name: str = "serve") -> None:
        self.folder, self.env = folder, env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder.parent / f"{folder.name}-{name}-{self.port}.log"
        self._log = self.log_path.open("w")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "--instance", str(folder), "serve"]
            + ["--port", str(self.port), "--threads", "4"],
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def get(self, path: str, token: str | None = None, timeout: float = 5):
        """GET a path; return (status, parsed JSON body or None)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with urlopen(Request(self.url + path, headers=headers), timeout=timeout) as response:
            body = response.read()
            try:
                return response.status, json.loads(body)
            except ValueError:
                return response.status, None

    def post(self, path: str, token: str, body: dict | None = None, timeout: float = 10):
        """POST JSON to an API path with a token; return (status, parsed JSON body)."""
        response = requests.post(
            self.url + path,
            json=body or {},
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )
        return response.status_code, response.json()

    def wait_for(self, check, timeout: float, what: str) -> float:
        """Poll check() until it is true; return the seconds since the server was started."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the server died:\n{self.log()}"
            with contextlib.suppress(OSError, URLError, ValueError, KeyError):
                if check():
                    return time.monotonic() - self.started
            time.sleep(0.1)
        raise AssertionError(f"{what} not within {timeout} s:\n{self.log()}")

    def healthy(self) -> bool:
        return self.get("/api/health", timeout=2)[0] == 200

    def search(self, token: str, text: str) -> dict:
        return self.get(f"/api/search?{urlencode({'q': text})}", token, timeout=10)[1]

    def indexer_pids(self) -> list[int]:
        """Return the process ids of this server's child processes running `kb indexer`."""
        return [pid for pid in children_of(self.process.pid) if is_indexer(pid)]

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text() if self.log_path.exists() else ""

    def signal(self, number: int) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, number)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


class Colleague:
    """A colleague logged in to one server through its log-in form, using its pages."""

    def __init__(self, server: Server, handle: str, password: str = PASSWORD) -> None:
        self.server, self.web = server, requests.Session()
        page = self.web.get(server.url + "/login", timeout=10).text
        answer = self.web.post(
            server.url + "/login",
            data={"handle": handle, "password": password, "csrf_token": csrf_token(page)},
            timeout=10,
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text[:500]

    def get(self, path: str) -> requests.Response:
        return self.web.get(self.server.url + path, timeout=10)

    def send(self, path: str, data: dict, files: dict | None = None) -> str:
        """Fill in the form at path and send it; return the source of the document page it
        leads to."""
        token = csrf_token(self.get(path).text)
        answer = self.web.post(
            self.server.url + path,
            data={**data, "csrf_token": token},
            files=files,
            timeout=30,
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text[:500]
        return unquote(answer.headers["Location"].split("/doc/", 1)[1])

    def share(self, title: str, text: str, visibility: str = "all") -> str:
        """Share a text file through the share form; return its source."""
        return self.send(
            "/share",
            {"title": title, "language": "sv", "visibility": visibility},
            {"file": ("fil.txt", text.encode(), "text/plain")},
        )


def children_of(pid: int) -> list[int]:
    """Return the ids of a process's direct children (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def is_indexer(pid: int) -> bool:
    """Tell whether a process is alive (not a zombie) and runs `kb indexer`."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        argv = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return state != "Z" and b"indexer" in argv


def is_alive(pid: int) -> bool:
    """Tell whether a process runs (a zombie waiting for its parent does not)."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def kill_all(pids: list[int]) -> None:
    """SIGKILL these processes if they still run (a spec's clean-up)."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
