"""The share form: a file and its metadata in, a document page out."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from kb.features.share.queries import share_material
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
    form = ShareForm()
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


def _receive(form: ShareForm):
    """Store a posted upload, or show the form again with what was wrong."""
    problem = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            source = share_material(
                facade(),
                viewer(),
                upload.filename or "",
                upload.read(MAX_FILE_BYTES + 1),
                {
                    "title": form.title.data,
                    "subjects": form.subjects.data,
                    "grades": form.grades.data,
                    "tags": form.tags.data,
                    "language": form.language.data,
                    "visibility": form.visibility.data,
                },
            )
        except Refused as exc:
            problem = refusal(exc)
        else:
            flash(
                _(
                    "Tack! Materialet är delat. Det indexeras nu och går att söka fram om en "
                    "liten stund."
                ),
                "success",
            )
            answered = _answering(form)
            if answered:
                facade().answer_request(viewer(), answered["id"], source)
            return redirect(url_for("pages.document", source=source))
    status = 422 if problem or form.errors else 200
    return render_template(
        "share.html", form=form, problem=problem, answers=_answering(form)
    ), status


def _answering(form: ShareForm) -> dict | None:
    """Return the open request the shared material answers ({id, question}), if any."""
    number = str(form.answers.data or "").strip()
    if not number.isdigit():
        return None
    return next(
        (
            {"id": a.id, "question": a.question}
            for a in facade().material_requests(viewer())
            if a.id == int(number) and a.answer is None
        ),
        None,
    )
