"""The "Mitt att granska" page, marking a document reviewed, and the API routes."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kb.features.review.payload import review_payload, state_payload
from kb.features.review.queries import CannotReview, mark_reviewed, review_answer, set_owners, state
from kb.web.forms import ButtonForm
from kb.web.routes import BadRequest, api, facade, pages, token_required, viewer


@pages.get("/review", endpoint="review")
def page():
    kb = facade()
    payload = review_payload(kb, review_answer(kb, viewer()))
    return render_template("review.html", page=payload, form=ButtonForm())


@pages.post("/review/<path:source>", endpoint="mark_reviewed")
def mark_page(source: str):
    if not ButtonForm().validate_on_submit():
        abort(400)
    mark_reviewed(facade(), viewer(), source)
    flash(_("Markerat som granskat i dag."), "success")
    back = request.args.get("next")
    return redirect(
        url_for("pages.review") if back == "review" else url_for("pages.document", source=source)
    )


@pages.post("/owners/<path:source>", endpoint="set_owners")
def owners_page(source: str):
    if not ButtonForm().validate_on_submit():
        abort(400)
    owners = [o for o in request.form.getlist("owners") if o]
    try:
        set_owners(facade(), viewer(), source, owners)
    except CannotReview as exc:
        if exc.code in ("missing", "not_owner"):
            raise  # 404 or 403 (kb/error_table.py); the rest the form can mend
        flash(_("Ägarna ändrades inte: %(why)s", why=str(exc)), "error")
    else:
        flash(_("Ägarna är ändrade."), "success")
    return redirect(url_for("pages.document", source=source))


@api.get("/review", endpoint="review")
@token_required
def api_body():
    kb = facade()
    return jsonify(review_payload(kb, review_answer(kb, viewer())))


@api.get("/review/<path:source>", endpoint="review_state")
@token_required
def api_state(source: str):
    kb = facade()
    return jsonify(state_payload(kb, state(kb, viewer(), source)))


@api.post("/review/<path:source>", endpoint="mark_reviewed")
@token_required
def api_mark(source: str):
    kb = facade()
    return jsonify(state_payload(kb, mark_reviewed(kb, viewer(), source)))


@api.post("/owners/<path:source>", endpoint="set_owners")
@token_required
def api_owners(source: str):
    body = request.get_json(silent=True)
    owners = body.get("owners") if isinstance(body, dict) else None
    if not isinstance(owners, list) or not all(isinstance(o, str) for o in owners):
        raise BadRequest(
            "send a JSON body with 'owners': a list of person ids ([] for the authors)"
        )
    kb = facade()
    return jsonify(state_payload(kb, set_owners(kb, viewer(), source, owners)))
