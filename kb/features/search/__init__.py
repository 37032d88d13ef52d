"""Searching material and reflections: `/`, `/api/search`, `kb search`."""

from kb.text.messages import N_
from kb.web.nav import NavEntry

NAV = NavEntry(N_("Sök"), "pages.search", order=10)
