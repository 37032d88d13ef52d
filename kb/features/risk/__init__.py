"""Knowledge held by few: `/risk`, `/api/risk`, `kb risk`."""

from kb.text.messages import N_
from kb.web.nav import NavEntry

NAV = NavEntry(N_("Kunskapsrisker"), "pages.risk", order=60, access="coordinator")
