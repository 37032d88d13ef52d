"""What the learning groups have learned about a question: `/learned`, `/api/learned`."""

from kb.text.messages import N_
from kb.web.nav import NavEntry

NAV = NavEntry(N_("Vad har vi lärt oss?"), "pages.learned", order=20)
