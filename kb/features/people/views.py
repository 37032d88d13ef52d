"""The directory, profiles, and editing one's own profile."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kb import accounts
from kb.features.people.queries import directory, profile
from kb.web.args import text_arg
from kb.web.forms import ProfileForm
from kb.web.routes import facade, pages, render_found, viewer


@pages.get("/people", endpoint="people")
def people_page():
    return render_template("people.html", page=directory(facade(), viewer(), text_arg("q", 200)))


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
            }
        )
    if form.validate_on_submit():
        try:
            accounts.update_profile(
                facade(),
                viewer(),
                person_id,
                {
                    **{k: getattr(form, k).data for k in accounts.PROFILE_FIELDS},
                    "skills": skill_rows(),
                },
            )
        except PermissionError:
            abort(403)
        flash(_("Din profil är sparad."), "success")
        return redirect(url_for("pages.profile", person_id=person_id))
    rows = page["skills"] if request.method == "GET" else _posted_rows()
    rows = list(rows) + [{"name": "", "level": 3}] * BLANK_ROWS
    return render_template("profile_edit.html", page=page, form=form, skill_rows=rows)


BLANK_ROWS = 3  # empty rows below one's skills, to add new ones without a script
MAX_SKILLS = 50


def _posted_rows() -> list[dict]:
    names = request.form.getlist("skill_name")
    levels = request.form.getlist("skill_level")
    rows = []
    for name, level in zip(names, levels, strict=False):
        name = " ".join(name.split())[:200]
        if name:
            value = int(level) if level.isdigit() else 3
            rows.append({"name": name, "level": min(max(value, 1), 5)})
    return rows[:MAX_SKILLS]


def skill_rows() -> list[tuple[str, int]]:
    """Return the skills posted as rows of a name and a level 1-5 (blank names dropped)."""
    seen, out = set(), []
    for row in _posted_rows():
        if row["name"].casefold() not in seen:
            seen.add(row["name"].casefold())
            out.append((row["name"], row["level"]))
    return out
