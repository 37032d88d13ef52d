"""What colleagues look for and do not find: `/gaps`, `/api/gaps`, `kb gaps`."""

from kb.text.messages import N_
from kb.web.nav import NavEntry

NAV = NavEntry(N_("Sökluckor"), "pages.gaps", order=70, access="coordinator")
