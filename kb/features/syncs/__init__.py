"""The coordinators' page of syncs from remote folders: the last runs and their problems."""

from kb.text.messages import N_
from kb.web.nav import NavEntry

NAV = NavEntry(N_("Synkning"), "pages.syncs", order=120, access="coordinator")
