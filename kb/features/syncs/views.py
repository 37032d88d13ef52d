"""The syncs page and API route: one payload, two renderings."""

from __future__ import annotations

from flask import jsonify, render_template

from kb.features.syncs.payload import syncs_payload
from kb.features.syncs.queries import syncs
from kb.web.routes import api, facade, pages, token_required, viewer


@pages.get("/syncs", endpoint="syncs")
def page():
    # NotCoordinator (a PermissionError) becomes 403 for anyone but a coordinator.
    return render_template("syncs.html", page=syncs_payload(syncs(facade(), viewer())))


@api.get("/syncs", endpoint="syncs")
@token_required
def api_body():
    return jsonify(syncs_payload(syncs(facade(), viewer())))
