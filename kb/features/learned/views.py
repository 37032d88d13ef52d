"""The learned page and API route: one payload, two renderings."""

from __future__ import annotations

from flask import jsonify, render_template

from kb.features.learned.payload import learned_payload
from kb.features.learned.queries import learned
from kb.web.args import required_text, text_arg
from kb.web.routes import api, facade, pages, token_required, viewer


@pages.get("/learned", endpoint="learned")
def page():
    answer = learned(facade(), viewer(), text_arg("q"))
    return render_template("learned.html", page=learned_payload(answer))


@api.get("/learned", endpoint="learned")
@token_required
def api_body():
    question = required_text("q", "the question to find reflections on", limit=500)
    return jsonify(learned_payload(learned(facade(), viewer(), question)))
