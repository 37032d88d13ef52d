"""The documentation tells the truth: its commands and routes exist."""

from __future__ import annotations

import re

from click.testing import CliRunner

from kb.cli import main
from tests.conftest import ROOT


def test_every_api_route_in_the_docs_exists(kb):
    from tests.helpers import make_app

    routes = {r.rule for r in make_app(kb).url_map.iter_rules()}
    # A route with a part in it (/api/groups/<path:name>) is documented as /api/groups/NAME.
    routes |= {r.split("<", 1)[0] for r in routes}
    documented = set(re.findall(r"`GET (/api/[a-z/]+)", (ROOT / "docs/api.md").read_text()))
    assert documented and documented <= routes


def test_every_command_in_the_readme_exists():
    readme = (ROOT / "README.md").read_text()
    commands = set(re.findall(r"`kb ([a-z-]+)", readme))
    for command in sorted(commands):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0, f"kb {command}: {result.output}"


def test_the_readme_starts_with_the_two_set_up_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert "./run" in first_block and "./test" in first_block


def test_ci_runs_exactly_the_readme_test_command():
    assert "./test" in (ROOT / ".ci/run").read_text()


def test_the_readme_screenshots_exist():
    readme = (ROOT / "README.md").read_text()
    for path in re.findall(r"\]\((docs/screenshots/[^)]+\.png)\)", readme):
        assert (ROOT / path).exists(), path
