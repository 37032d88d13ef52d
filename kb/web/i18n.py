"""Languages of the pages: Swedish by default, English by choice, and labels for stored values."""

from __future__ import annotations

from datetime import date

from babel import Locale
from flask import Flask, session
from flask_babel import Babel, format_date, get_locale, gettext, lazy_gettext, ngettext

from kb.ingest.submit import Refused

LANGUAGES = ("sv", "en")
# kb.expertise gives its reasons as Reason objects (English text, a code and its values);
# these put each code into the page's language. An unknown code is shown as it is, in English.
REASONS = {
    "wrote_material": lambda v: gettext("skrev materialet ”%(title)s”", title=v["title"]),
    "wrote_reflection": lambda v: gettext("skrev reflektionen ”%(title)s”", title=v["title"]),
    "cowrote_material": lambda v: gettext(
        "skrev materialet ”%(title)s” tillsammans med andra", title=v["title"]
    ),
    "cowrote_reflection": lambda v: gettext(
        "skrev reflektionen ”%(title)s” tillsammans med andra", title=v["title"]
    ),
    "took_part": lambda v: gettext("var med på träffen ”%(title)s”", title=v["title"]),
    "named_material": lambda v: gettext("nämns i materialet ”%(title)s”", title=v["title"]),
    "named_reflection": lambda v: gettext("nämns i reflektionen ”%(title)s”", title=v["title"]),
    "declared_skill": lambda v: gettext(
        "anger kunskapen ”%(name)s” på nivå %(level)s av 5", name=v["name"], level=v["level"]
    ),
    "declared_skill_unbacked": lambda v: (
        gettext(
            "anger kunskapen ”%(name)s” på nivå %(level)s av 5", name=v["name"], level=v["level"]
        )
        + gettext("; inget delat material visar det än")
    ),
    "same_grades": lambda v: gettext("undervisar också i årskurs %(grades)s", grades=v["grades"]),
    "same_stage": lambda v: gettext("undervisar på samma stadium"),
    "same_subjects": lambda v: gettext("undervisar också i %(subjects)s", subjects=v["subjects"]),
    "same_unit": lambda v: gettext("arbetar också på %(unit)s", unit=v["unit"]),
    "shared_documents": lambda v: ngettext(
        "har delat %(num)d dokument i den nyanställdas ämnen",
        "har delat %(num)d dokument i den nyanställdas ämnen",
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
}
# Why kb would not store what a colleague sent (kb.ingest.submit.Refused codes), in the
# page's language; `d` is the refusal's detail.
REFUSALS = {
    "type": lambda d: gettext(
        "kb kan inte läsa den sortens fil (%(ext)s). Dela en fil av typen "
        "md, txt, html, pdf eller docx.",
        ext=d or "?",
    ),
    "empty": lambda d: gettext("Filen är tom."),
    "too_large": lambda d: gettext("Filen är för stor (högst 20 MB)."),
    "mismatch": lambda d: gettext(
        "Filens innehåll stämmer inte med filändelsen (%(what)s). Kontrollera "
        "att du valt rätt fil.",
        what=d,
    ),
    "unreadable": lambda d: gettext("Filen gick inte att läsa: %(why)s.", why=d),
    "damaged": lambda d: gettext(
        "Filen gick inte att läsa: den verkar vara skadad. Spara den på nytt "
        "i programmet den kommer från och försök igen."
    ),
    "bomb": lambda d: gettext(
        "Filen gick inte att läsa: den packas upp till mycket mer än den är stor."
    ),
    "timeout": lambda d: gettext("Filen gick inte att läsa: det tog mer än 10 sekunder."),
    "memory": lambda d: gettext("Filen gick inte att läsa: den krävde för mycket minne."),
    "encrypted": lambda d: gettext("Filen gick inte att läsa: PDF-filen är skyddad med lösenord."),
    "busy": lambda d: gettext(
        "Filen gick inte att läsa just nu: kb läser många filer. Försök igen om en stund."
    ),
    "unavailable": lambda d: gettext("Filen gick inte att läsa just nu. Försök igen om en stund."),
    "no_text": lambda d: gettext(
        "Det gick inte att få ut någon text ur filen. Är det en inskannad "
        "PDF? Dela gärna en version med text."
    ),
    "title": lambda d: gettext("Skriv en titel."),
    "visibility": lambda d: gettext("Välj vem som får läsa."),
    "step": lambda d: gettext("Välj ett steg i cykeln."),
    "participants": lambda d: gettext("Okända deltagare: %(ids)s.", ids=d),
    "author": lambda d: gettext("Du behöver vara inloggad som kollega."),
}


def refusal(exc: Refused) -> str:
    """Explain in the page's language why kb would not store something."""
    explain = REFUSALS.get(exc.code)
    return explain(exc.detail) if explain else str(exc)


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
