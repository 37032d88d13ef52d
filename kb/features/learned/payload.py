"""The learned answer: the API body and the page's context."""

from __future__ import annotations

from kb.features.learned.queries import LearnedAnswer
from kb.text.markup import render_markdown


def learned_payload(answer: LearnedAnswer) -> dict:
    """Return the learning groups (best answer first) with their meetings in time order."""
    return {
        "question": answer.question,
        "count": answer.count,
        # The extractive answer (docs/answers.md): None when it abstains.
        "answer": answer.answer,
        "groups": [
            {
                "name": g.name,
                "meetings": [
                    {
                        **m.brief,
                        "take_away_html": render_markdown(m.take_away) if m.take_away else "",
                        "material": m.material,
                    }
                    for m in g.meetings
                ],
            }
            for g in answer.groups
        ],
    }
