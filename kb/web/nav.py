"""The main menu, made of the entries the features declare (`NAV` in kb/features/<name>/).

Each feature says in its own package where its page stands in the menu and who may use it;
the assembly hands the entries to `init_app`, and base.html shows those the signed-in
colleague may use. Nothing here knows a feature.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask
from flask_login import current_user

# Who sees an entry: every signed-in colleague, or coordinators only (whose pages answer 403
# to anyone else, so the menu never offers what would be refused).
ACCESS = ("colleague", "coordinator")


@dataclass(frozen=True)
class NavEntry:
    """A feature's place in the main menu."""

    label: str  # a message id, marked with N_ and translated when shown
    endpoint: str
    order: int  # smallest first
    access: str = "colleague"
    # Pages under this entry that are not its own endpoint (the matching under newcomers).
    current_on: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.access not in ACCESS:
            raise ValueError(f"access must be one of {', '.join(ACCESS)}, not {self.access!r}")

    def shown_to(self, user) -> bool:
        """Tell whether a user (signed in or not) sees this entry."""
        if not user.is_authenticated:
            return False
        return self.access == "colleague" or user.is_coordinator

    def is_current(self, endpoint: str | None) -> bool:
        """Tell whether the page of this endpoint belongs to this entry."""
        return endpoint == self.endpoint or endpoint in self.current_on


def init_app(app: Flask, entries: Iterable[NavEntry]) -> None:
    """Give the templates `main_menu()`: the entries the current user sees, in order."""
    menu = tuple(sorted(entries, key=lambda entry: entry.order))

    @app.template_global()
    def main_menu() -> list[NavEntry]:
        return [entry for entry in menu if entry.shown_to(current_user)]
