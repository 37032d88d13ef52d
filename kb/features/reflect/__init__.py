"""Writing down a learning group's reflection: the form `/reflect`."""

from kb.text.messages import N_
from kb.web.nav import NavEntry

NAV = NavEntry(N_("Skriv reflektion"), "pages.reflect", order=110)
