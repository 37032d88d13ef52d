"""The home page and its API route."""

from __future__ import annotations

from flask import abort, jsonify, render_template

from kb.features.home.payload import home_payload
from kb.features.home.queries import home
from kb.web.routes import api, facade, pages, token_required, viewer


def _payload() -> dict:
    answer = home(facade(), viewer())
    if answer is None:
        abort(404)
    return home_payload(facade(), answer)


# The search page sends "/" without a question here (kb/features/search/views.py).
@pages.get("/home", endpoint="home")
def page():
    return render_template("home.html", page=_payload())


@api.get("/home", endpoint="home")
@token_required
def api_body():
    return jsonify(_payload())
