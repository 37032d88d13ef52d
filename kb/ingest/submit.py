"""Checking what a colleague submits on a form before the store takes it."""

from __future__ import annotations

from typing import NamedTuple

from kb.ingest.formats import SHARE_NAMES
from kb.ingest.records import SECTION_HEADINGS, VISIBILITIES
from kb.text.language import guess_language
from kb.text.messages import N_

# Why the sandbox could not read a file: each is also a refusal code the pages translate.
EXTRACTION_REASONS = (
    "mismatch",
    "damaged",
    "too_large",
    "bomb",
    "timeout",
    "memory",
    "encrypted",
    "busy",
    "unavailable",
)


class Refusal(NamedTuple):
    """How a refusal reads on a page: a Swedish message id, the field the detail fills, and
    the values of its other fields (the same in every language)."""

    swedish: str
    field: str | None = None
    default: str = ""
    values: tuple[tuple[str, str], ...] = ()


# The one list of refusal codes, each with its Swedish message id (kb.web.i18n translates).
# fmt: off
REFUSALS = {
    "type": Refusal(N_("kb kan inte läsa den sortens fil (%(ext)s). Dela en fil av typen: %(types)s."), "ext", "?", (("types", SHARE_NAMES),)),
    "empty": Refusal(N_("Filen är tom.")),
    "too_large": Refusal(N_("Filen är för stor (högst 20 MB).")),
    "mismatch": Refusal(N_("Filens innehåll stämmer inte med filändelsen (%(what)s). Kontrollera att du valt rätt fil."), "what"),
    "unreadable": Refusal(N_("Filen gick inte att läsa: %(why)s."), "why"),
    "damaged": Refusal(N_("Filen gick inte att läsa: den verkar vara skadad. Spara den på nytt i programmet den kommer från och försök igen.")),
    "bomb": Refusal(N_("Filen gick inte att läsa: den packas upp till mycket mer än den är stor.")),
    "timeout": Refusal(N_("Filen gick inte att läsa: det tog mer än 10 sekunder.")),
    "memory": Refusal(N_("Filen gick inte att läsa: den krävde för mycket minne.")),
    "encrypted": Refusal(N_("Filen gick inte att läsa: PDF-filen är skyddad med lösenord.")),
    "busy": Refusal(N_("Filen gick inte att läsa just nu: kb läser många filer. Försök igen om en stund.")),
    "unavailable": Refusal(N_("Filen gick inte att läsa just nu. Försök igen om en stund.")),
    "no_text": Refusal(N_("Det gick inte att få ut någon text ur filen. Är det en inskannad PDF? Dela gärna en version med text.")),
    "title": Refusal(N_("Skriv en titel.")),
    "file": Refusal(N_("Välj en fil att dela.")),
    "visibility": Refusal(N_("Välj vem som får läsa.")),
    "step": Refusal(N_("Välj ett steg i cykeln.")),
    "participants": Refusal(N_("Okända deltagare: %(ids)s."), "ids"),
    "author": Refusal(N_("Du behöver vara inloggad som kollega.")),
    "too_long": Refusal(N_("För lång text (%(limit)s)."), "limit"),
    "too_many": Refusal(N_("För många värden (%(limit)s)."), "limit"),
    "not_text": Refusal(N_("Fel sorts värde: %(field)s."), "field"),
}
# fmt: on


class Refused(ValueError):
    """Something a colleague sent that kb will not store; `code` says why, `detail` adds facts.

    `code` is a key of REFUSALS, which says it in the page's language.
    """

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def language_of(value: str | None, text: str) -> tuple[str, bool]:
    """Return the language given on a form, else the one guessed; and whether it was guessed."""
    value = (value or "").strip().lower()
    if value:
        return value[:20], False
    return guess_language(text), True


def visibility(value: str | None) -> str:
    """Return a visibility chosen on a form (all when none); raise Refused when unknown."""
    value = (value or "all").strip().lower()
    if value not in VISIBILITIES:
        raise Refused("visibility", value)
    return value


def reflection_markdown(sections: dict[str, str]) -> str:
    """Write the four questions as `## ` headings with their answers below."""
    parts = []
    for field, heading in SECTION_HEADINGS.items():
        answer = (sections.get(field) or "").strip()
        if answer:
            parts.append(f"## {heading}\n{answer}\n")
    return "\n".join(parts)
