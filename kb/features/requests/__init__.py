"""Requests for material: `/requests`, `/api/requests`, `kb requests`."""

from kb.text.messages import N_
from kb.web.nav import NavEntry

NAV = NavEntry(N_("Förfrågningar"), "pages.requests", order=80)
