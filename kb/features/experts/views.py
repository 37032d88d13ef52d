"""The experts page and API route: one payload, two renderings."""

from __future__ import annotations

from flask import jsonify, render_template

from kb.features.experts.payload import experts_payload
from kb.features.experts.queries import experts
from kb.web.args import api_int, required_text, text_arg
from kb.web.routes import api, facade, pages, token_required, viewer


@pages.get("/experts", endpoint="experts")
def page():
    question = text_arg("q")
    found = experts(facade(), viewer(), question)
    return render_template("experts.html", page=experts_payload(question, found))


@api.get("/experts", endpoint="experts")
@token_required
def api_body():
    question = required_text("q", "the topic to find experts on")
    found = experts(facade(), viewer(), question, api_int("limit", 10))
    return jsonify(experts_payload(question, found))
