"""The document page and its download."""

from __future__ import annotations

from io import BytesIO

from flask import abort, jsonify, request, send_file

from kb.features.documents.payload import with_passage
from kb.features.documents.queries import delete_document, document, download, page_image
from kb.web.routes import api, facade, pages, render_found, token_required, viewer
from kb.web.security import DOWNLOAD_CSP


@pages.get("/doc/<path:source>", endpoint="document")
def page(source: str):
    found = document(facade(), viewer(), source)
    passage = request.args.get("passage", "")[:1000]
    if found is not None and passage:
        # An answer's link: the page marks the quoted sentence and #passage scrolls to it.
        found = with_passage(found, passage)
    return render_found("document.html", found)


@pages.get("/download/<path:source>", endpoint="download")
def file(source: str):
    found = download(facade(), viewer(), source)
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


@pages.get("/doc-page/<int:number>/<path:source>", endpoint="document_page")
def page_picture(number: int, source: str):
    found = page_image(facade(), viewer(), source, number)
    if found is None:
        abort(404)
    response = send_file(BytesIO(found), mimetype="image/png", max_age=3600)
    # The viewer's own copy: a shared cache must never hand it to someone else.
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@api.post("/documents/<path:source>/delete", endpoint="delete_document")
@token_required
def api_delete(source: str):
    delete_document(facade(), viewer(), source)
    return jsonify(deleted=source)
