"""Languages of the pages: Swedish by default, English by choice, and labels for stored values."""

from __future__ import annotations

import math
from datetime import date

from babel import Locale
from flask import Flask, session
from flask_babel import (
    Babel,
    format_date,
    format_number,
    format_percent,
    get_locale,
    gettext,
    lazy_gettext,
    ngettext,
)

from kb.catalog import FACET_BY_NAME
from kb.expertise.reasons import WORDINGS
from kb.ingest.submit import REFUSALS, Refused

LANGUAGES = ("sv", "en")


def refusal(exc: Refused) -> str:
    """Explain in the page's language why kb would not store something."""
    wording = REFUSALS.get(exc.code)
    if wording is None:
        return str(exc)
    values = dict(wording.values)
    if wording.field:
        values[wording.field] = exc.detail or wording.default
    return gettext(wording.swedish, **values)


babel = Babel()

KINDS = {"material": lazy_gettext("Material"), "reflection": lazy_gettext("Reflektion")}
STEPS = {
    "analysera": lazy_gettext("analysera"),
    "planera": lazy_gettext("planera"),
    "genomföra": lazy_gettext("genomföra"),
    "följa upp": lazy_gettext("följa upp"),
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


def facet_label(name: str) -> str:
    """Return a facet's name in the page's language."""
    facet = FACET_BY_NAME.get(name)
    return gettext(facet.label) if facet else name


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
    wording = WORDINGS.get(getattr(reason, "code", None))
    if wording is None:
        return {"text": str(reason), "lang": "en"}
    values = dict(reason.values)
    if isinstance(wording.swedish, tuple):
        text = ngettext(*wording.swedish, int(values.pop("num")), **values)
    else:
        text = gettext(wording.swedish, **values)
    return {"text": text, "lang": str(get_locale())}


def show_date(value: date | None) -> str:
    """Format a date in the page's language (12 mars 2025 / Mar 12, 2025)."""
    return format_date(value, "medium") if value else ""


# The search legs by what they do, for the line that says which are being rebuilt.
LEG_NAMES = {
    "keyword": lazy_gettext("ordsökningen"),
    "dense": lazy_gettext("betydelsesökningen"),
    "sparse": lazy_gettext("begreppssökningen"),
}


def leg_name(leg: str) -> str:
    """Name a search leg in the page's language."""
    return str(LEG_NAMES.get(leg, leg))


def show_share(progress: dict) -> str:
    """Show done of total as a percentage, rounded down: 99 % until every one is done."""
    return format_percent(math.floor(100 * progress["done"] / progress["total"]) / 100)


def init_app(app: Flask) -> None:
    """Install Flask-Babel and the template helpers."""
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        current_locale=lambda: str(get_locale()),
        language_name=language_name,
        kind_label=lambda v: label(KINDS, v),
        step_label=lambda v: label(STEPS, v),
        facet_label=facet_label,
        facet_value=facet_value,
        visibility_label=lambda v: label(VISIBILITIES, v),
        level_label=lambda v: label(LEVELS, v),
        languages=LANGUAGES,
        explain=explain,
    )
    app.jinja_env.filters["day"] = show_date
    app.jinja_env.filters["leg_name"] = leg_name
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["share"] = show_share
