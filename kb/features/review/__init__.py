"""Owners and review dates: `/review` ("Mitt att granska"), `/api/review`, `kb review`."""

from kb.text.messages import N_
from kb.web.nav import NavEntry

NAV = NavEntry(N_("Att granska"), "pages.review", order=90)
