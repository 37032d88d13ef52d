"""The edit form, delete and its undo, restoring a version; the same as API calls."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kb.errors import Invalid
from kb.features.edit.queries import (
    CannotChange,
    current,
    delete,
    deleted,
    edit_document,
    restore,
    undelete,
    versions,
)
from kb.ingest.submit import Refused
from kb.web.forms import ButtonForm, EditMaterialForm, ReflectionForm
from kb.web.i18n import refusal
from kb.web.routes import api, facade, pages, token_required, viewer


def _or_404(call, *args):
    """Run a query; a synced document leads to its page, other refusals answer 404 or 403."""
    try:
        return call(facade(), viewer(), *args)
    except CannotChange as exc:
        if exc.code == "synced":  # it changes where it lives: the document page links there
            flash(_("Dokumentet hämtas från en annan plats: ändra det där."), "error")
            abort(redirect(url_for("pages.document", source=args[0])))
        raise


def _form(start: dict):
    people = [p for p in facade().people.profile_refs() if p["id"] not in start["authors"][:1]]
    if start["kind"] == "reflection":
        form = ReflectionForm(people=people)
        form.submit.label.text = _("Spara ändringarna")
        return form
    return EditMaterialForm(people=people, with_text=start["text"] is not None)


def _fill(form, start: dict) -> None:
    data = {k: start.get(k) for k in ("title", "group", "step", "date", "visibility")}
    data.update({k: ", ".join(start[k]) for k in ("subjects", "grades", "tags")})
    data.update({k: start[k] for k in ("did", "went_well", "went_less_well", "take_away")})
    data.update(
        text=start["text"], language=start["language"] or "", participants=start["authors"][1:]
    )
    data["coauthors"] = start["authors"][1:]
    form.process(data=data)


def _changes(form, start: dict) -> dict:
    names = [n for n in form._fields if n not in ("csrf_token", "submit")]
    changes = {n: form[n].data for n in names}
    changes["coauthors"] = changes.pop("participants", None) or changes.get("coauthors") or []
    return changes


@pages.route("/edit/<path:source>", methods=["GET", "POST"], endpoint="edit_document")
def edit_page(source: str):
    start = _or_404(current, source)
    form = _form(start)
    if request.method == "GET":
        _fill(form, start)
    problem = None
    if form.validate_on_submit():
        try:
            _or_404(edit_document, source, _changes(form, start))
        except Refused as exc:
            problem = refusal(exc)
        else:
            flash(_("Ändringarna är sparade som en ny version."), "success")
            return redirect(url_for("pages.document", source=source))
    status = 422 if problem or form.errors else 200
    page = {**start, "problem": problem}
    return render_template("edit.html", page=page, form=form), status


@pages.post("/delete/<path:source>", endpoint="delete_document")
def delete_page(source: str):
    if not ButtonForm().validate_on_submit():
        abort(400)
    _or_404(delete, source)
    return redirect(url_for("pages.deleted", source=source))


@pages.get("/deleted/<path:source>", endpoint="deleted")
def deleted_page(source: str):
    page = _or_404(deleted, source)
    return render_template("deleted.html", page=page, form=ButtonForm())


@pages.post("/undelete/<path:source>", endpoint="undelete")
def undelete_page(source: str):
    if not ButtonForm().validate_on_submit():
        abort(400)
    _or_404(undelete, source)
    flash(_("Dokumentet är tillbaka."), "success")
    return redirect(url_for("pages.document", source=source))


@pages.post("/restore/<path:source>", endpoint="restore")
def restore_page(source: str):
    number = request.form.get("version", type=int)
    if not ButtonForm().validate_on_submit() or number is None:
        abort(400)
    new = _or_404(restore, source, number)
    flash(_("Version %(old)d är återställd som version %(new)d.", old=number, new=new), "success")
    return redirect(url_for("pages.document", source=source))


@api.get("/documents/<path:source>/versions", endpoint="versions")
@token_required
def api_versions(source: str):
    return jsonify(versions(facade(), viewer(), source))


@api.post("/documents/<path:source>/edit", endpoint="edit_document")
@token_required
def api_edit(source: str):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid("send the changed fields as a JSON object")
    body.pop("date", None)  # a date arrives as text; the form's date field is the way to change it
    number = edit_document(facade(), viewer(), source, body)
    return jsonify(source=source, version=number)


@api.post("/documents/<path:source>/restore", endpoint="restore")
@token_required
def api_restore(source: str):
    body = request.get_json(silent=True) or {}
    number = body.get("version") if isinstance(body, dict) else None
    if not isinstance(number, int) or isinstance(number, bool):
        raise Invalid('send {"version": N}', "version")
    new = restore(facade(), viewer(), source, number)
    return jsonify(source=source, restored=number, version=new)


@api.post("/documents/<path:source>/undelete", endpoint="undelete")
@token_required
def api_undelete(source: str):
    number = undelete(facade(), viewer(), source)
    return jsonify(source=source, version=number)
