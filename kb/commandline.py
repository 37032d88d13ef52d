"""What every `kb` command shares: the facade opened once, `--as PERSON`, `--json`, and one way
to say a refusal (kb/errors.py)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable

import click

from kb.access import Viewer
from kb.config import ConfigError, load_settings
from kb.errors import Table, explain
from kb.service import KnowledgeBase


class KbGroup(click.Group):
    """The `kb` group: a refusal from any command below it is one line and exit status 1.

    `errors` is the table of what other exception types mean (kb/error_table.py); anything
    else is a fault and shows its traceback.
    """

    def __init__(self, *args, errors: Table | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.errors = errors or {}

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            found = explain(exc, self.errors)
            if found is None:
                raise
            raise click.ClickException(found.message or str(exc)) from None


class Context:
    """Lazily opens the instance's facade, once per command."""

    def __init__(self, instance: str) -> None:
        self.instance = instance
        self._kb: KnowledgeBase | None = None

    @property
    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            try:
                settings = load_settings(self.instance)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
            self._kb = KnowledgeBase(settings)
        return self._kb

    def viewer(self, person: str | None) -> Viewer:
        """Return the viewer for `--as PERSON` (everything when no person is named)."""
        return self.kb.people.viewer(person) if person else Viewer.system()


pass_ctx = click.make_pass_decorator(Context)


def as_option(help_text: str = "Ask as this person (what they may see)."):
    """The `--as PERSON` option."""
    return click.option("--as", "person", help=help_text)


json_option = click.option("--json", "as_json", is_flag=True, help="Print the payload as JSON.")


def emit(payload: dict, as_json: bool, render: Callable[[dict], None]) -> None:
    """Print a payload: as the API's JSON with --json, else as lines for people."""
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        render(payload)


def show_progress() -> bool:
    """Tell whether to draw progress bars: on a terminal, or when KB_PROGRESS=1 asks (./run)."""
    return sys.stderr.isatty() or os.environ.get("KB_PROGRESS") == "1"


def progress_factory(enabled: bool):
    """Return a progress(label) -> tqdm-like factory, hidden when output is not a terminal."""
    from tqdm import tqdm

    def factory(label: str):
        def wrap(iterable=None, total=None):
            kwargs = {
                "desc": label,
                "disable": not enabled,
                # Embedding counts passages; reading, storing and indexing count files.
                "unit": "chunk" if label == "embedding" else "file",
                "leave": False,
                "file": sys.stderr,
            }
            if iterable is not None:
                return tqdm(iterable, **kwargs)
            return tqdm(total=total, **kwargs)

        return wrap

    return factory
