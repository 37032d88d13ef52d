"""The group and tag pages and their API routes; a name nobody may see is not found."""

from __future__ import annotations

from flask import jsonify

from kb.errors import NotFound
from kb.features.groups.payload import group_payload, tag_payload
from kb.features.groups.queries import group, tagged
from kb.web.routes import api, facade, pages, render_found, token_required, viewer


def _group(name: str) -> dict | None:
    answer = group(facade(), viewer(), name)
    return group_payload(facade(), answer) if answer else None


def _tag(tag: str) -> dict | None:
    docs = tagged(facade(), viewer(), tag)
    return tag_payload(facade(), tag, docs) if docs else None


@pages.get("/groups/<path:name>", endpoint="group")
def group_page(name: str):
    return render_found("group.html", _group(name))


@pages.get("/tags/<path:tag>", endpoint="tag")
def tag_page(tag: str):
    return render_found("tag.html", _tag(tag))


@api.get("/groups/<path:name>", endpoint="group")
@token_required
def api_group(name: str):
    payload = _group(name)
    if payload is None:
        raise NotFound(f"no learning group {name!r}")
    return jsonify(payload)


@api.get("/tags/<path:tag>", endpoint="tag")
@token_required
def api_tag(tag: str):
    payload = _tag(tag)
    if payload is None:
        raise NotFound(f"no documents tagged {tag!r}")
    return jsonify(payload)
