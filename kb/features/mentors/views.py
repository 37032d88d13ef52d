"""The newcomers and matching pages, the mentors API, and a coordinator's mentorship actions."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired

from kb.accounts import is_coordinator
from kb.features.mentors.payload import matching_payload, mentors_payload, running_payload
from kb.features.mentors.queries import (
    MentorshipRefused,
    assign,
    end,
    match_mentors,
    mentors_answer,
    running,
)
from kb.web.args import api_int, required_text
from kb.web.routes import api, facade, pages, token_required, viewer

# Why a mentorship could not be assigned, by MentorshipRefused.code.
REFUSALS = {
    "is_the_newcomer": lambda: _("En nyanställd kan inte vara sin egen mentor."),
    "has_not_offered_to_mentor": lambda: _("Kollegan har inte erbjudit sig att vara mentor."),
    "has_left": lambda: _("Kollegan har slutat."),
    "has_no_mentoring_capacity_left": lambda: _("Kollegan har inte plats för fler adepter."),
    "is_new_here_too": lambda: _("Kollegan är själv nyanställd."),
}


class MentorshipForm(FlaskForm):
    """Assign (mentor and newcomer) or end (newcomer only) a mentorship."""

    newcomer = HiddenField(validators=[DataRequired()])
    mentor = HiddenField()


@pages.get("/newcomers", endpoint="newcomers")
def page():
    answer = mentors_answer(facade(), viewer(), request.args.get("newcomer") or None, strict=False)
    return render_template("newcomers.html", page=mentors_payload(answer), form=MentorshipForm())


@pages.get("/newcomers/matching", endpoint="matching")
def matching_page():
    # NotCoordinator (a PermissionError) becomes 403 for anyone but a coordinator.
    matches = match_mentors(facade(), viewer())
    return render_template("matching.html", page=matching_payload(matches), form=MentorshipForm())


@pages.post("/mentorships", endpoint="assign_mentor")
def assign_page():
    form = MentorshipForm()
    if not form.validate_on_submit() or not form.mentor.data:
        abort(400)
    newcomer = form.newcomer.data
    try:
        made = assign(facade(), viewer(), form.mentor.data, newcomer)
    except MentorshipRefused as exc:
        explain = REFUSALS.get(exc.code)
        flash(explain() if explain else exc.code, "error")
    else:
        flash(
            _(
                "%(mentor)s är nu mentor för %(mentee)s.",
                mentor=made.mentor_name,
                mentee=made.mentee_name,
            ),
            "success",
        )
    return redirect(url_for("pages.newcomers", newcomer=newcomer))


@pages.get("/mentorships/end", endpoint="confirm_end_mentorship")
def confirm_end_page():
    # Ending is not undone with a click: the page asks first (a coordinator's decision).
    answer = mentors_answer(facade(), viewer(), request.args.get("newcomer") or None, strict=False)
    if not answer.is_coordinator:
        abort(403)
    if answer.newcomer is None or answer.mentor is None:
        return redirect(url_for("pages.newcomers"))
    return render_template(
        "end_mentorship.html", page=mentors_payload(answer), form=MentorshipForm()
    )


@pages.post("/mentorships/end", endpoint="end_mentorship")
def end_page():
    form = MentorshipForm()
    if not form.validate_on_submit():
        abort(400)
    if end(facade(), viewer(), form.newcomer.data):
        flash(_("Mentorskapet är avslutat."), "success")
    return redirect(url_for("pages.newcomers", newcomer=form.newcomer.data))


@api.get("/mentors", endpoint="mentors")
@token_required
def api_body():
    newcomer = required_text("newcomer", "the id of the new colleague")
    answer = mentors_answer(facade(), viewer(), newcomer, api_int("limit", 5))
    return jsonify(mentors_payload(answer))


@api.get("/mentors/matching", endpoint="mentor_matching")
@token_required
def api_matching():
    return jsonify(matching_payload(match_mentors(facade(), viewer())))


@api.get("/mentorships", endpoint="mentorships")
@token_required
def api_mentorships():
    kb, asker = facade(), viewer()
    runs = running(kb) if is_coordinator(kb, asker) else running(kb, asker.person_id)
    return jsonify(mentorships=running_payload(runs))
