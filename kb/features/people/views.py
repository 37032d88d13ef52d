"""The directory, profiles, and editing one's own profile."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kb import accounts
from kb.features.people.queries import directory, profile
from kb.web.forms import ProfileForm
from kb.web.routes import facade, pages, render_found, viewer


@pages.get("/people", endpoint="people")
def people_page():
    return render_template("people.html", page=directory(facade(), viewer()))


@pages.get("/people/<person_id>", endpoint="profile")
def profile_page(person_id: str):
    return render_found("profile.html", profile(facade(), viewer(), person_id))


@pages.route("/people/<person_id>/edit", methods=["GET", "POST"], endpoint="edit_profile")
def edit_profile(person_id: str):
    page = profile(facade(), viewer(), person_id)
    if page is None:
        abort(404)
    if not page["can_edit"]:
        abort(403)
    form = ProfileForm()
    if request.method == "GET":
        form.process(
            data={
                "role": page["role"],
                "bio": page["bio"],
                "subjects": ", ".join(page["subjects"]),
                "grades": ", ".join(page["grades"]),
                "languages": ", ".join(page["languages"]),
                "mentor": page["mentor"],
                "mentor_capacity": page["mentor_capacity"],
                "skills": "\n".join(f"{s['name']}: {s['level']}" for s in page["skills"]),
            }
        )
    if form.validate_on_submit():
        try:
            accounts.update_profile(
                facade(),
                viewer(),
                person_id,
                {k: getattr(form, k).data for k in accounts.PROFILE_FIELDS + ("skills",)},
            )
        except PermissionError:
            abort(403)
        flash(_("Din profil är sparad."), "success")
        return redirect(url_for("pages.profile", person_id=person_id))
    return render_template("profile_edit.html", page=page, form=form)
