"""Colleagues: the directory `/people`, profiles and editing one's own."""

from kb.text.messages import N_
from kb.web.nav import NavEntry

NAV = NavEntry(N_("Kollegor"), "pages.people", order=30)
