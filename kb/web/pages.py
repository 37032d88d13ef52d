"""The pages colleagues use: thin views that parse, call one library function and render."""

from __future__ import annotations

from io import BytesIO

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from kb import accounts, library
from kb.search.catalog import Filters
from kb.web.forms import ProfileForm, ReflectionForm, ShareForm
from kb.web.routes import facade as kb
from kb.web.routes import pages as bp
from kb.web.routes import viewer
from kb.web.security import DOWNLOAD_CSP, limiter

FILTER_NAMES = ("kind", "subject", "grade", "unit", "group", "step", "language")
PAGE_SIZES = (10, 20, 50)


def int_arg(name: str, default: int, lo: int, hi: int) -> int:
    """Read a whole number from the query string; nonsense gives the default."""
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(max(value, lo), hi)


def filters_from_args() -> Filters:
    """Read the chosen facets from the query string."""
    values = {n: (request.args.get(n) or None) for n in FILTER_NAMES}
    if values["kind"] not in (None, "material", "reflection"):
        values["kind"] = None
    return Filters(**values)


# ---------------------------------------------------------------- search and learning
@bp.get("/")
def search():
    limit = request.args.get("limit", type=int)
    limit = limit if limit in PAGE_SIZES else PAGE_SIZES[0]
    filters = filters_from_args()
    page = library.search_page(
        kb(),
        viewer(),
        request.args.get("q", "")[:500],
        filters,
        offset=int_arg("offset", 0, 0, 10_000),
        limit=limit,
    )
    page["filters"] = {n: getattr(filters, n) for n in FILTER_NAMES if getattr(filters, n)}
    return render_template("search.html", page=page)


@bp.get("/learned")
def learned():
    page = library.learned(kb(), viewer(), request.args.get("q", "")[:500])
    return render_template("learned.html", page=page)


@bp.get("/doc/<path:source>")
def document(source: str):
    page = library.document(kb(), viewer(), source)
    if page is None:
        abort(404)
    return render_template("document.html", page=page)


@bp.get("/download/<path:source>")
def download(source: str):
    found = library.download(kb(), viewer(), source)
    if found is None:
        abort(404)
    response = send_file(
        BytesIO(found["data"]),
        mimetype=found["media_type"],
        as_attachment=True,
        download_name=found["filename"],
    )
    # send_file would add a second "; charset=utf-8" to a type that already names one.
    response.headers["Content-Type"] = found["media_type"]
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


# ---------------------------------------------------------------- people
@bp.get("/people")
def people():
    return render_template("people.html", page=library.directory(kb(), viewer()))


@bp.get("/people/<person_id>")
def profile(person_id: str):
    page = library.profile(kb(), viewer(), person_id)
    if page is None:
        abort(404)
    return render_template("profile.html", page=page)


@bp.route("/people/<person_id>/edit", methods=["GET", "POST"])
def edit_profile(person_id: str):
    page = library.profile(kb(), viewer(), person_id)
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
                kb(),
                viewer(),
                person_id,
                {k: getattr(form, k).data for k in accounts.PROFILE_FIELDS + ("skills",)},
            )
        except PermissionError:
            abort(403)
        flash(_("Din profil är sparad."), "success")
        return redirect(url_for("pages.profile", person_id=person_id))
    return render_template("profile_edit.html", page=page, form=form)


# ---------------------------------------------------------------- sharing and writing
REFUSALS = {
    "type": lambda d: _(
        "kb kan inte läsa den sortens fil (%(ext)s). Dela en fil av typen "
        "md, txt, html, pdf eller docx.",
        ext=d or "?",
    ),
    "empty": lambda d: _("Filen är tom."),
    "too_large": lambda d: _("Filen är för stor (högst 20 MB)."),
    "mismatch": lambda d: _(
        "Filens innehåll stämmer inte med filändelsen (%(what)s). Kontrollera "
        "att du valt rätt fil.",
        what=d,
    ),
    "unreadable": lambda d: _("Filen gick inte att läsa: %(why)s.", why=d),
    "damaged": lambda d: _(
        "Filen gick inte att läsa: den verkar vara skadad. Spara den på nytt "
        "i programmet den kommer från och försök igen."
    ),
    "bomb": lambda d: _("Filen gick inte att läsa: den packas upp till mycket mer än den är stor."),
    "timeout": lambda d: _("Filen gick inte att läsa: det tog mer än 10 sekunder."),
    "memory": lambda d: _("Filen gick inte att läsa: den krävde för mycket minne."),
    "encrypted": lambda d: _("Filen gick inte att läsa: PDF-filen är skyddad med lösenord."),
    "busy": lambda d: _(
        "Filen gick inte att läsa just nu: kb läser många filer. Försök igen om en stund."
    ),
    "unavailable": lambda d: _("Filen gick inte att läsa just nu. Försök igen om en stund."),
    "no_text": lambda d: _(
        "Det gick inte att få ut någon text ur filen. Är det en inskannad "
        "PDF? Dela gärna en version med text."
    ),
    "title": lambda d: _("Skriv en titel."),
    "visibility": lambda d: _("Välj vem som får läsa."),
    "step": lambda d: _("Välj ett steg i cykeln."),
    "participants": lambda d: _("Okända deltagare: %(ids)s.", ids=d),
    "author": lambda d: _("Du behöver vara inloggad som kollega."),
}


def refusal(exc: library.Refused) -> str:
    """Explain in the page's language why kb would not store something."""
    explain = REFUSALS.get(exc.code)
    return explain(exc.detail) if explain else str(exc)


@bp.route("/share", methods=["GET", "POST"])
# Reading a hostile file can hold a server thread for seconds: nobody may queue dozens.
@limiter.limit(
    "20/minute", methods=["POST"], key_func=lambda: current_user.get_id() or get_remote_address()
)
def share():
    form = ShareForm()
    problem = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            source = library.share_material(
                kb(),
                viewer(),
                upload.filename or "",
                upload.read(library.MAX_UPLOAD + 1),
                {
                    "title": form.title.data,
                    "subjects": form.subjects.data,
                    "grades": form.grades.data,
                    "tags": form.tags.data,
                    "language": form.language.data,
                    "visibility": form.visibility.data,
                },
            )
        except library.Refused as exc:
            problem = refusal(exc)
        else:
            flash(
                _(
                    "Tack! Materialet är delat. Det indexeras nu och går att söka fram om en liten stund."
                ),
                "success",
            )
            return redirect(url_for("pages.document", source=source))
    status = 422 if problem or form.errors else 200
    return render_template("share.html", form=form, problem=problem), status


@bp.route("/reflect", methods=["GET", "POST"])
def reflect():
    choices = library.reflection_choices(kb(), viewer())
    form = ReflectionForm(
        people=[p for p in choices["people"] if p["id"] != current_user.person_id]
    )
    if request.method == "GET":
        form.date.data = kb().settings.as_of
    problem = None
    if form.validate_on_submit():
        try:
            source = library.write_reflection(
                kb(),
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
        except library.Refused as exc:
            problem = (
                _("Svara på minst en av de fyra frågorna.") if exc.code == "empty" else refusal(exc)
            )
        else:
            flash(_("Reflektionen är sparad."), "success")
            return redirect(url_for("pages.document", source=source))
    status = 422 if problem or form.errors else 200
    return render_template("reflect.html", form=form, choices=choices, problem=problem), status
