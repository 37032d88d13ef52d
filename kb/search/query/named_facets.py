"""The facets a question names itself: "åk 5", "gymnasiet", "i matematik", "reflektioner om …"."""

from __future__ import annotations

import re
from collections.abc import Mapping

GRADE_NUMBER = re.compile(r"\b(?:åk|årskurs|ak)\s*(\d{1,2}|f)\b", re.I)
STAGES = {
    "förskoleklass": "F",
    "lågstadiet": "F-3",
    "mellanstadiet": "4-6",
    "högstadiet": "7-9",
    "gymnasiet": "gymnasiet",
    "gymnasieskolan": "gymnasiet",
}
REFLECTIONS = re.compile(r"\breflektion(er|erna)?\b", re.I)


def grade_span(value: str) -> tuple[int, int] | None:
    """Return the school years a grade value covers ("4-6" -> (4, 6), F is 0), or None."""
    bounds = [0 if part.strip().upper() == "F" else part for part in value.split("-")]
    try:
        return int(bounds[0]), int(bounds[-1])
    except ValueError:
        return None


def named_facets(text: str, offered: Mapping[str, Mapping[str, int]]) -> list[tuple[str, str]]:
    """Return the (facet, value) pairs a question names, among the values offered to it.

    `offered` is the facet counts of the viewer's own results, so nothing named here can
    point at a document the viewer may not open.
    """
    lowered = text.casefold()
    words = set(re.findall(r"\w+", lowered))
    found: list[tuple[str, str]] = []
    grades = offered.get("grade", {})
    for match in GRADE_NUMBER.finditer(lowered):
        year = 0 if match.group(1) == "f" else int(match.group(1))
        # The narrowest range holding the year: "åk 5" suggests 4-6 rather than F-6.
        spans = {v: grade_span(v) for v in grades}
        holding = sorted(
            (v for v, span in spans.items() if span and span[0] <= year <= span[1]),
            key=lambda v: (spans[v][1] - spans[v][0], v),
        )
        found += [("grade", holding[0])] if holding else []
    found += [("grade", v) for w, v in STAGES.items() if w in words and v in grades]
    for subject in offered.get("subject", {}):
        if re.search(rf"\b{re.escape(subject.casefold())}", lowered):
            found.append(("subject", subject))
    if REFLECTIONS.search(lowered) and "reflection" in offered.get("kind", {}):
        found.append(("kind", "reflection"))
    return list(dict.fromkeys(found))


def carries(info, named: list[tuple[str, str]]) -> bool:
    """Tell whether a catalog entry carries one of the named facet values."""
    return any(v in info.facet_values(f) for f, v in named)
