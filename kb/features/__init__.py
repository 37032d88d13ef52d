"""The features colleagues use, each in the same shape.

A feature is a package `kb/features/<name>/` with the modules it needs:

- `queries.py`: take the facade and the `Viewer` who asks, return dataclasses;
- `payload.py`: turn those into the one dict that is the API body, the page's context and the
  CLI's `--json`;
- `views.py`: the page route and the API route, both rendering that payload;
- `commands.py`: the `kb` commands, printing that payload (or its JSON);
- `templates/`: its pages;

and in its `__init__.py` its entry in the main menu, `NAV` (a `kb.web.nav.NavEntry` with who
may use it, or None for a page reached from other pages).

A feature imports the core, the facade and the web or CLI plumbing, never another feature.
"""

from importlib import import_module
from pathlib import Path

FOLDER = Path(__file__).parent

# Every feature (the menu's order is in each one's NAV).
NAMES = (
    "search",
    "home",
    "learned",
    "documents",
    "edit",
    "people",
    "groups",
    "share",
    "reflect",
    "experts",
    "mentors",
    "risk",
    "gaps",
    "requests",
    "review",
    "syncs",
)


def register_views() -> None:
    """Import each feature's views, which hang their routes on the two blueprints."""
    for name in NAMES:
        try:
            import_module(f"kb.features.{name}.views")
        except ModuleNotFoundError as exc:
            if exc.name != f"kb.features.{name}.views":
                raise


def navigation() -> list:
    """Return the main-menu entries the features declare (`NAV`), in the order of NAMES."""
    entries = (import_module(f"kb.features.{name}").NAV for name in NAMES)
    return [entry for entry in entries if entry is not None]


def template_folders() -> list[Path]:
    """Return the folders of the features' own templates (their pages), in the order of NAMES."""
    return [FOLDER / name / "templates" for name in NAMES if (FOLDER / name / "templates").is_dir()]


def commands() -> list:
    """Return every feature's `kb` commands."""
    found = []
    for name in NAMES:
        try:
            module = import_module(f"kb.features.{name}.commands")
        except ModuleNotFoundError as exc:
            if exc.name != f"kb.features.{name}.commands":
                raise
            continue
        found.extend(module.COMMANDS)
    return found
