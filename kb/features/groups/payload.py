"""The group and tag answers: the API body, the page's context and the CLI's --json."""

from __future__ import annotations

from kb.features.groups.queries import Group
from kb.service import KnowledgeBase


def group_payload(kb: KnowledgeBase, answer: Group) -> dict:
    """Return a group: name, steps [{step, reflections}], members [{id, name}], material."""
    return {
        "name": answer.name,
        "steps": [{"step": s, "reflections": kb.documents.briefs(ds)} for s, ds in answer.steps],
        "members": kb.people.people_refs(answer.members),
        "material": kb.documents.briefs(answer.material),
    }


def tag_payload(kb: KnowledgeBase, tag: str, docs) -> dict:
    """Return a tag: the tag and its documents, newest first."""
    return {"tag": tag, "documents": kb.documents.briefs(docs)}
