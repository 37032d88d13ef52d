"""Sharing material: the form `/share`."""

from kb.text.messages import N_
from kb.web.nav import NavEntry

NAV = NavEntry(N_("Dela material"), "pages.share", order=100)
