"""The share form: a file and its metadata in, a document page out."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from kb.features.share.queries import (
    drop_kept,
    keep_upload,
    kept_upload,
    share_material,
    suggested_title,
)
from kb.ingest.submit import Refused
from kb.limits import MAX_FILE_BYTES
from kb.web.forms import ShareForm
from kb.web.i18n import refusal
from kb.web.routes import facade, pages, viewer
from kb.web.security import limiter


@pages.route("/share", methods=["GET", "POST"], endpoint="share")
# Reading a hostile file can hold a server thread for seconds: nobody may queue dozens.
@limiter.limit(
    "20/minute", methods=["POST"], key_func=lambda: current_user.get_id() or get_remote_address()
)
def share_page():
    form = ShareForm(
        people=[p for p in facade().people.profile_refs() if p["id"] != current_user.person_id]
    )
    if request.method != "POST":
        form.answers.data = request.args.get("answers", "")
        return render_template("share.html", form=form, problem=None, answers=_answering(form))
    slots = current_app.extensions["kb_upload_slots"]
    with slots.take(viewer().person_id or "") as busy:
        if busy:
            # At once, holding no thread: the colleague's own upload or all slots are busy.
            return render_template(
                "share.html", form=form, problem=None, busy=busy, answers=_answering(form)
            ), 429
        return _receive(form)


# Refusals that are about one field of the form.
FIELD_OF = {"title": "title", "visibility": "visibility", "participants": "coauthors"}
# Problems with the form, not the file: the file is kept so it need not be chosen again.
KEEP_FILE_ON = ("title", "visibility", "participants", "busy", "unavailable")


def _upload(form: ShareForm) -> tuple[str, bytes] | None:
    """Return the file sent now, else the one kept from the last try, else None."""
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", ""):
        return upload.filename, upload.read(MAX_FILE_BYTES + 1)
    return kept_upload(facade(), viewer(), form.kept.data or "")


def _receive(form: ShareForm):
    """Store a posted upload, or show the form again with what was wrong (keeping the file)."""
    problem, code = None, None
    sent = _upload(form)
    if form.validate_on_submit():
        try:
            if sent is None:
                raise Refused("file")
            source = share_material(
                facade(),
                viewer(),
                sent[0],
                sent[1],
                {
                    "title": form.title.data,
                    "subjects": form.subjects.data,
                    "grades": form.grades.data,
                    "tags": form.tags.data,
                    "language": form.language.data,
                    "visibility": form.visibility.data,
                    "coauthors": form.coauthors.data,
                },
            )
        except Refused as exc:
            problem, code = refusal(exc), exc.code
            if code in FIELD_OF:
                # Said where it is to be mended, too: at the field, not only above the form.
                field = getattr(form, FIELD_OF[code])
                field.errors = [*field.errors, problem]
                problem = None  # the form's summary above links to the field; once is enough
        else:
            drop_kept(facade(), form.kept.data or "")
            flash(
                _(
                    "Tack! Materialet är delat. Det indexeras nu och går att söka fram om en "
                    "liten stund."
                ),
                "success",
            )
            answered = _answering(form)
            if answered:
                facade().upkeep.answer_request(viewer(), answered["id"], source)
            return redirect(url_for("pages.document", source=source))
    kept = None
    if sent is not None and (code in KEEP_FILE_ON or (code is None and form.errors)):
        if not form.kept.data or kept_upload(facade(), viewer(), form.kept.data) is None:
            form.kept.data = keep_upload(facade(), viewer(), sent[0], sent[1])
        kept = sent[0]
        if not form.title.data:
            form.title.data = suggested_title(sent[0], sent[1]) or ""
    else:
        form.kept.data = ""
    status = 422 if problem or form.errors else 200
    return render_template(
        "share.html", form=form, problem=problem, kept=kept, answers=_answering(form)
    ), status


def _answering(form: ShareForm) -> dict | None:
    """Return the open request the shared material answers ({id, question}), if any."""
    number = str(form.answers.data or "").strip()
    if not number.isdigit():
        return None
    return next(
        (
            {"id": a.id, "question": a.question}
            for a in facade().upkeep.material_requests(viewer())
            if a.id == int(number) and a.answer is None
        ),
        None,
    )
