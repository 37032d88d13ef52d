"""The reflection form: four questions in, a reflection page out."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kb.features.reflect.queries import reflection_choices, write_reflection
from kb.ingest.submit import Refused
from kb.web.forms import ReflectionForm
from kb.web.i18n import refusal
from kb.web.routes import facade, pages, viewer


@pages.route("/reflect", methods=["GET", "POST"], endpoint="reflect")
def reflect_page():
    choices = reflection_choices(facade(), viewer())
    form = ReflectionForm(
        people=[p for p in choices["people"] if p["id"] != current_user.person_id]
    )
    if request.method == "GET":
        form.date.data = facade().settings.as_of
    problem = None
    if form.validate_on_submit():
        try:
            source = write_reflection(
                facade(),
                viewer(),
                group=form.group.data,
                when=form.date.data,
                step=form.step.data,
                participants=form.participants.data or [],
                title=form.title.data,
                tags=form.tags.data,
                visibility=form.visibility.data,
                did=form.did.data,
                went_well=form.went_well.data,
                went_less_well=form.went_less_well.data,
                take_away=form.take_away.data,
            )
        except Refused as exc:
            problem = (
                _("Svara på minst en av de fyra frågorna.") if exc.code == "empty" else refusal(exc)
            )
        else:
            flash(_("Reflektionen är sparad."), "success")
            return redirect(url_for("pages.document", source=source))
    status = 422 if problem or form.errors else 200
    return render_template("reflect.html", form=form, choices=choices, problem=problem), status
