"""`./run` says what it is doing: a line per install stage with about how long it takes, the
demo load's progress, no framework log lines at start-up, and the README names KB_PORT/KB_HOST."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

from tests.conftest import ROOT


def test_the_readme_run_line_names_kb_port_and_kb_host():
    head = (ROOT / "README.md").read_text(encoding="utf-8").split("```")[1]
    run_lines = [line for line in head.splitlines() if "./run" in line]
    assert any("KB_PORT" in line and "KB_HOST" in line for line in run_lines)


def test_the_install_says_each_stage_with_about_how_long_it_takes(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "bootstrap.sh", tmp_path / "scripts" / "bootstrap.sh")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    calls = tmp_path / "calls"
    # A stand-in interpreter: the stages are what is tested, not pip (nothing is installed).
    (venv / "python").write_text(f'#!/bin/sh\necho "pip $*" >> "{calls}"\necho "pip $*" >&2\n')
    (venv / "python").chmod(0o755)
    done = subprocess.run(
        ["bash", str(tmp_path / "scripts" / "bootstrap.sh")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    said = done.stderr.splitlines()
    pips = [i for i, line in enumerate(said) if line.startswith("pip ")]
    stages = [i for i, line in enumerate(said) if line.startswith("[")]
    assert len(pips) == len(stages) == 3
    for stage, pip in zip(stages, pips, strict=True):
        assert stage < pip and ("second" in said[stage] or "minute" in said[stage])
    assert sum("done in" in line for line in said) == 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_fresh_server_starts_without_framework_log_lines(tmp_path):
    env = dict(os.environ, KB_INSTANCE=str(tmp_path / "instance"), KB_EMBEDDER="fake")
    env["PYTHONPATH"] = str(ROOT)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from kb.cli import main; main()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        time.sleep(1.0)
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    assert "kb serving" in out
    for framework in ("alembic", "waitress"):
        assert framework not in err, err
