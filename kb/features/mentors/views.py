"""The newcomers and matching pages and the mentors API: one payload each, two renderings."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request

from kb.accounts import is_coordinator
from kb.features.mentors.payload import matching_payload, mentors_payload
from kb.features.mentors.queries import match_mentors, mentors_answer
from kb.service import UnknownPerson
from kb.web.args import api_int, required_text
from kb.web.routes import api, facade, not_found, pages, token_required, viewer


@pages.get("/newcomers", endpoint="newcomers")
def page():
    answer = mentors_answer(facade(), viewer(), request.args.get("newcomer") or None, strict=False)
    return render_template("newcomers.html", page=mentors_payload(answer))


@pages.get("/newcomers/matching", endpoint="matching")
def matching_page():
    kb, asker = facade(), viewer()
    if not is_coordinator(kb, asker):
        abort(403)  # only coordinators see the matching of all newcomers
    return render_template("matching.html", page=matching_payload(match_mentors(kb, asker)))


@api.get("/mentors", endpoint="mentors")
@token_required
def api_body():
    newcomer = required_text("newcomer", "the id of the new colleague")
    try:
        answer = mentors_answer(facade(), viewer(), newcomer, api_int("limit", 5))
    except UnknownPerson:
        return not_found(f"no person with id {newcomer!r}")
    return jsonify(mentors_payload(answer))


@api.get("/mentors/matching", endpoint="mentor_matching")
@token_required
def api_matching():
    return jsonify(matching_payload(match_mentors(facade(), viewer())))
