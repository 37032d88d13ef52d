"""Mentors for newcomers: `/newcomers`, `/newcomers/matching`, `/api/mentors`, `kb mentors`."""

from kb.text.messages import N_
from kb.web.nav import NavEntry

NAV = NavEntry(N_("Nya kollegor"), "pages.newcomers", order=50, current_on=("pages.matching",))
