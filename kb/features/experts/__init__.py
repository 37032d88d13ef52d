"""Who knows about a question: `/experts`, `/api/experts`, `kb experts`."""

from kb.text.messages import N_
from kb.web.nav import NavEntry

NAV = NavEntry(N_("Vem kan?"), "pages.experts", order=40)
