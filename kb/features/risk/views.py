"""The risk page and API route: one payload, two renderings."""

from __future__ import annotations

from flask import jsonify, render_template, request

from kb.features.risk.payload import risk_payload
from kb.features.risk.queries import risk_answer
from kb.web.routes import api, facade, pages, token_required, viewer


@pages.get("/risk", endpoint="risk")
def page():
    answer = risk_answer(facade(), viewer(), request.args.get("leaving") or None)
    return render_template("risk.html", page=risk_payload(answer))


@api.get("/risk", endpoint="risk")
@token_required
def api_body():
    answer = risk_answer(facade(), viewer(), (request.args.get("leaves") or "").strip() or None)
    return jsonify(risk_payload(answer))
