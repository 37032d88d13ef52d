"""Languages of the pages: Swedish by default, English by choice, and labels for stored values."""

from __future__ import annotations

from datetime import date

from babel import Locale
from flask import Flask, session
from flask_babel import Babel, format_date, get_locale, gettext, lazy_gettext, ngettext

LANGUAGES = ("sv", "en")
# kb.expertise gives its reasons as Reason objects (English text, a code and its values);
# these put each code into the page's language. An unknown code is shown as it is, in English.
REASONS = {
    "wrote_material": lambda v: gettext("skrev materialet"),
    "wrote_reflection": lambda v: gettext("skrev reflektionen"),
    "cowrote_material": lambda v: gettext("skrev materialet tillsammans med andra"),
    "cowrote_reflection": lambda v: gettext("skrev reflektionen tillsammans med andra"),
    "took_part": lambda v: gettext("var med på träffen"),
    "named_material": lambda v: gettext("nämns i materialet"),
    "named_reflection": lambda v: gettext("nämns i reflektionen"),
    "about_tags": lambda v: gettext("det har taggen ”%(terms)s”", terms=v["terms"]),
    "about_title": lambda v: gettext("rubriken säger ”%(terms)s”", terms=v["terms"]),
    "about_text": lambda v: ngettext(
        "det nämner ”%(terms)s” (%(num)d gång)",
        "det nämner ”%(terms)s” (%(num)d gånger)",
        int(v["num"]),
        terms=v["terms"],
    ),
    "about_meaning": lambda v: gettext("texten ligger nära frågan i betydelse"),
    "declared_skill": lambda v: gettext(
        "anger kunskapen ”%(name)s” på nivå %(level)s av 5", name=v["name"], level=v["level"]
    ),
    "declared_skill_unbacked": lambda v: (
        gettext(
            "anger kunskapen ”%(name)s” på nivå %(level)s av 5", name=v["name"], level=v["level"]
        )
        + gettext("; inget delat material visar det än")
    ),
    "same_subjects": lambda v: gettext("undervisar också i %(subjects)s", subjects=v["subjects"]),
    "same_role": lambda v: gettext("arbetar också som %(role)s", role=v["role"]),
    "same_unit": lambda v: gettext("arbetar också på %(unit)s", unit=v["unit"]),
    "other_unit": lambda v: gettext(
        "arbetar på en annan enhet (%(unit)s): ingen på den nyanställdas enhet passar",
        unit=v["unit"],
    ),
    "same_stage": lambda v: gettext("undervisar på samma stadium (%(stage)s)", stage=v["stage"]),
    "shared_documents": lambda v: ngettext(
        "har delat %(num)d dokument i den nyanställdas ämnen",
        "har delat %(num)d dokument i den nyanställdas ämnen",
        int(v["num"]),
    ),
    "mentors_now": lambda v: ngettext(
        "är mentor för %(num)d nyanställd nu",
        "är mentor för %(num)d nyanställda nu",
        int(v["num"]),
    ),
    "mentoring_experience": lambda v: gettext("har erfarenhet av mentorskap (angiven kunskap)"),
    "since": lambda v: gettext("har arbetat här sedan %(year)s", year=v["year"]),
    "room": lambda v: ngettext(
        "vill vara mentor och har plats för %(num)d till",
        "vill vara mentor och har plats för %(num)d till",
        int(v["num"]),
    ),
    "no_mentor": lambda v: gettext("ingen mentor med plats kvar"),
    "running": lambda v: gettext("är redan mentor för den nyanställda"),
}
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
    render = REASONS.get(getattr(reason, "code", None))
    if render is None:
        return {"text": str(reason), "lang": "en"}
    return {"text": render(reason.values), "lang": str(get_locale())}


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
