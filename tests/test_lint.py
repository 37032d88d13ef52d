"""The code stays lint-clean and formatted (ruff, configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

PATHS = ["kb", "tests", "scripts"]


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *PATHS], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_finds_nothing_to_complain_about():
    result = ruff("check")
    assert result.returncode == 0, result.stdout


def test_the_code_is_formatted_as_ruff_formats_it():
    result = ruff("format", "--check")
    assert result.returncode == 0, result.stdout
