"""The gaps page and API route: one payload, two renderings."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _

from kb.features.gaps.payload import gaps_payload
from kb.features.gaps.queries import dismiss, gaps
from kb.web.forms import ButtonForm
from kb.web.routes import api, facade, pages, token_required, viewer


@pages.get("/gaps", endpoint="gaps")
def page():
    # NotCoordinator (a PermissionError) becomes 403 for anyone but a coordinator.
    found = gaps(facade(), viewer())
    return render_template("gaps.html", page=gaps_payload(found), form=ButtonForm())


@pages.post("/gaps/<int:gap_id>/dismiss", endpoint="dismiss_gap")
def dismiss_page(gap_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    if dismiss(facade(), viewer(), gap_id):
        flash(_("Sökluckan är borttagen."), "success")
    return redirect(url_for("pages.gaps"))


@api.get("/gaps", endpoint="gaps")
@token_required
def api_body():
    return jsonify(gaps_payload(gaps(facade(), viewer())))
