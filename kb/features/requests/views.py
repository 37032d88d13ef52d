"""The requests page, its forms, and the API routes: one payload, two renderings."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from kb.features.requests.payload import requests_payload
from kb.features.requests.queries import RequestError, ask, requests_answer, suggest, vote
from kb.upkeep.asks import MAX_QUESTION
from kb.web.forms import ButtonForm
from kb.web.routes import BadRequest, api, facade, pages, token_required, viewer


class AskForm(FlaskForm):
    question = TextAreaField(
        _l("Vilket material saknar du?"),
        [DataRequired(), Length(max=MAX_QUESTION)],
        render_kw={"rows": 2},
    )


class SuggestForm(FlaskForm):
    expert = SelectField(_l("Föreslå en kollega som kan skriva det"), validate_choice=False)
    request_id = HiddenField()


def _page(status: int = 200, form: AskForm | None = None):
    payload = requests_payload(requests_answer(facade(), viewer()))
    suggest_form = SuggestForm()
    suggest_form.expert.choices = [(p["id"], p["name"]) for p in payload["people"]]
    return render_template(
        "requests.html",
        page=payload,
        form=form or AskForm(formdata=None),
        button=ButtonForm(),
        suggest=suggest_form,
    ), status


@pages.get("/requests", endpoint="requests")
def page():
    return _page()


@pages.post("/requests", endpoint="ask_material")
def ask_page():
    form = AskForm()
    if not form.validate_on_submit():
        return _page(422, form)
    number = ask(facade(), viewer(), form.question.data)
    flash(_("Din förfrågan är sparad. Kollegor kan nu se den och rösta på den."), "success")
    return redirect(url_for("pages.requests", _anchor=f"request-{number}"))


@pages.post("/requests/<int:request_id>/vote", endpoint="vote_request")
def vote_page(request_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        vote(facade(), viewer(), request_id)
    except RequestError:
        abort(404)  # a voter without a profile, too: the page offers no such vote
    return redirect(url_for("pages.requests", _anchor=f"request-{request_id}"))


@pages.post("/requests/<int:request_id>/experts", endpoint="suggest_expert")
def suggest_page(request_id: int):
    form = SuggestForm()
    form.expert.choices = []
    if not form.validate_on_submit():
        abort(400)
    suggest(facade(), viewer(), request_id, form.expert.data or "")
    return redirect(url_for("pages.requests", _anchor=f"request-{request_id}"))


def _json_text(key: str) -> str:
    body = request.get_json(silent=True)
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"send a JSON body with '{key}'")
    return value


@api.get("/requests", endpoint="requests")
@token_required
def api_body():
    return jsonify(requests_payload(requests_answer(facade(), viewer())))


@api.post("/requests", endpoint="ask_material")
@token_required
def api_ask():
    number = ask(facade(), viewer(), _json_text("question"))
    return jsonify(id=number), 201


@api.post("/requests/<int:request_id>/vote", endpoint="vote_request")
@token_required
def api_vote(request_id: int):
    return jsonify(voted=vote(facade(), viewer(), request_id))


@api.post("/requests/<int:request_id>/experts", endpoint="suggest_expert")
@token_required
def api_suggest(request_id: int):
    suggest(facade(), viewer(), request_id, _json_text("expert"))
    return jsonify(suggested=True)
