"""Languages of the pages: Swedish by default, English by choice, and labels for stored values."""

from __future__ import annotations

import re
from datetime import date

from babel import Locale
from flask import Flask, session
from flask_babel import Babel, format_date, get_locale, gettext, lazy_gettext, ngettext

LANGUAGES = ("sv", "en")
# kb.expertise writes its reasons in English ("teaches matematik too"); these patterns put the
# known ones into the page's language, and anything else is shown as it is, marked English.
REASONS = [
    (
        r"wrote the material “(?P<title>.+)”",
        lambda m: gettext("skrev materialet ”%(title)s”", title=m["title"]),
    ),
    (
        r"wrote the reflection “(?P<title>.+)”",
        lambda m: gettext("skrev reflektionen ”%(title)s”", title=m["title"]),
    ),
    (
        r"co-wrote the material “(?P<title>.+)”",
        lambda m: gettext("skrev materialet ”%(title)s” tillsammans med andra", title=m["title"]),
    ),
    (
        r"co-wrote the reflection “(?P<title>.+)”",
        lambda m: gettext("skrev reflektionen ”%(title)s” tillsammans med andra", title=m["title"]),
    ),
    (
        r"took part in the meeting “(?P<title>.+)”",
        lambda m: gettext("var med på träffen ”%(title)s”", title=m["title"]),
    ),
    (
        r"is named in the material “(?P<title>.+)”",
        lambda m: gettext("nämns i materialet ”%(title)s”", title=m["title"]),
    ),
    (
        r"is named in the reflection “(?P<title>.+)”",
        lambda m: gettext("nämns i reflektionen ”%(title)s”", title=m["title"]),
    ),
    (
        r"declares the skill “(?P<name>.+)” at level (?P<level>\d) of 5(?P<unbacked>; no shared "
        r"material shows it yet)?",
        lambda m: (
            gettext(
                "anger kunskapen ”%(name)s” på nivå %(level)s av 5",
                name=m["name"],
                level=m["level"],
            )
            + (gettext("; inget delat material visar det än") if m["unbacked"] else "")
        ),
    ),
    (
        r"teaches grade (?P<grades>.+) too",
        lambda m: gettext("undervisar också i årskurs %(grades)s", grades=m["grades"]),
    ),
    (r"teaches in the same school stage", lambda m: gettext("undervisar på samma stadium")),
    (
        r"teaches (?P<subjects>.+) too",
        lambda m: gettext("undervisar också i %(subjects)s", subjects=m["subjects"]),
    ),
    (r"works at (?P<unit>.+) too", lambda m: gettext("arbetar också på %(unit)s", unit=m["unit"])),
    (
        r"has shared (?P<num>\d+) document\(s\) in the newcomer's subjects",
        lambda m: ngettext(
            "har delat %(num)d dokument i den nyanställdas ämnen",
            "har delat %(num)d dokument i den nyanställdas ämnen",
            int(m["num"]),
        ),
    ),
    (
        r"has mentoring experience \(declared skill\)",
        lambda m: gettext("har erfarenhet av mentorskap (angiven kunskap)"),
    ),
    (
        r"has worked here since (?P<year>\d{4})",
        lambda m: gettext("har arbetat här sedan %(year)s", year=m["year"]),
    ),
    (
        r"willing to mentor, room for (?P<num>\d+) more",
        lambda m: ngettext(
            "vill vara mentor och har plats för %(num)d till",
            "vill vara mentor och har plats för %(num)d till",
            int(m["num"]),
        ),
    ),
    (r"no willing mentor with room left", lambda m: gettext("ingen mentor med plats kvar")),
]
REASON_PATTERNS = [(re.compile(rf"^{pattern}$"), render) for pattern, render in REASONS]
babel = Babel()

KINDS = {"material": lazy_gettext("Material"), "reflection": lazy_gettext("Reflektion")}
STEPS = {
    "analysera": lazy_gettext("analysera"),
    "planera": lazy_gettext("planera"),
    "genomföra": lazy_gettext("genomföra"),
    "följa upp": lazy_gettext("följa upp"),
}
FACETS = {
    "kind": lazy_gettext("Typ"),
    "subject": lazy_gettext("Ämne"),
    "grade": lazy_gettext("Årskurs"),
    "unit": lazy_gettext("Enhet"),
    "group": lazy_gettext("Grupp"),
    "step": lazy_gettext("Steg"),
    "language": lazy_gettext("Språk"),
    "author": lazy_gettext("Författare"),
}
VISIBILITIES = {
    "all": lazy_gettext("Alla kollegor"),
    "unit": lazy_gettext("Min enhet (skola, bibliotek eller lag)"),
    "private": lazy_gettext("Bara jag och medförfattarna"),
}
LEVELS = {
    1: lazy_gettext("nybörjare"),
    2: lazy_gettext("grundläggande"),
    3: lazy_gettext("van"),
    4: lazy_gettext("erfaren"),
    5: lazy_gettext("kan lära andra"),
}


def select_locale() -> str:
    """Return the language the colleague chose, else Swedish."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else "sv"


def language_name(code: str | None) -> str:
    """Name a language code in the page's language (sv -> svenska / Swedish)."""
    if not code:
        return ""
    try:
        return Locale(str(get_locale())).languages.get(code, code)
    except (ValueError, TypeError):
        return code


def label(mapping: dict, value):
    """Return the translated label of a stored value, the value itself when unknown."""
    return mapping.get(value, value)


def facet_value(facet: str, value: str) -> str:
    """Return how a facet's value is shown."""
    if facet == "kind":
        return str(label(KINDS, value))
    if facet == "step":
        return str(label(STEPS, value))
    if facet == "language":
        return language_name(value)
    return value


def explain(reason: str) -> dict:
    """Return a reason from kb.expertise in the page's language: {"text", "lang"}."""
    for pattern, render in REASON_PATTERNS:
        match = pattern.match(reason)
        if match:
            return {"text": render(match), "lang": str(get_locale())}
    return {"text": reason, "lang": "en"}


def show_date(value: date | None) -> str:
    """Format a date in the page's language (12 mars 2025 / Mar 12, 2025)."""
    return format_date(value, "medium") if value else ""


def init_app(app: Flask) -> None:
    """Install Flask-Babel and the template helpers."""
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        current_locale=lambda: str(get_locale()),
        language_name=language_name,
        kind_label=lambda v: label(KINDS, v),
        step_label=lambda v: label(STEPS, v),
        facet_label=lambda v: label(FACETS, v),
        facet_value=facet_value,
        visibility_label=lambda v: label(VISIBILITIES, v),
        level_label=lambda v: label(LEVELS, v),
        languages=LANGUAGES,
        explain=explain,
    )
    app.jinja_env.filters["day"] = show_date
