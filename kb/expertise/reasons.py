"""Reasons a person can read, kept with the code and values they were made from.

A `Reason` is the English sentence the API and the command line show (it *is* a `str`), and it
carries `code` and `values`, so the pages can say the same in the reader's language without
parsing the sentence. `WORDINGS` is the one list of reason codes: each with its English
sentence and its Swedish message id (the source language of the pages' translations, marked
with `N_` or `Np_` so that pybabel finds it); kb.web.i18n only looks them up.
"""

from __future__ import annotations

from typing import NamedTuple

from kb.text.messages import N_, Np_


class Wording(NamedTuple):
    """How one reason code reads: in English (str.format) and as a Swedish message id.

    A wording that counts `num` has a (singular, plural) pair of message ids (ngettext).
    """

    english: str
    swedish: str | tuple[str, str]


WORDINGS = {
    "wrote_material": Wording("wrote the material “{title}”", N_("skrev materialet ”%(title)s”")),
    "wrote_reflection": Wording(
        "wrote the reflection “{title}”", N_("skrev reflektionen ”%(title)s”")
    ),
    "cowrote_material": Wording(
        "co-wrote the material “{title}”",
        N_("skrev materialet ”%(title)s” tillsammans med andra"),
    ),
    "cowrote_reflection": Wording(
        "co-wrote the reflection “{title}”",
        N_("skrev reflektionen ”%(title)s” tillsammans med andra"),
    ),
    "took_part": Wording(
        "took part in the meeting “{title}”", N_("var med på träffen ”%(title)s”")
    ),
    "named_material": Wording(
        "is named in the material “{title}”", N_("nämns i materialet ”%(title)s”")
    ),
    "named_reflection": Wording(
        "is named in the reflection “{title}”", N_("nämns i reflektionen ”%(title)s”")
    ),
    "declared_skill": Wording(
        "declares the skill “{name}” at level {level} of 5",
        N_("anger kunskapen ”%(name)s” på nivå %(level)s av 5"),
    ),
    "declared_skill_unbacked": Wording(
        "declares the skill “{name}” at level {level} of 5; no shared material shows it yet",
        N_("anger kunskapen ”%(name)s” på nivå %(level)s av 5; inget delat material visar det än"),
    ),
    "same_subjects": Wording("teaches {subjects} too", N_("undervisar också i %(subjects)s")),
    "same_unit": Wording("works at {unit} too", N_("arbetar också på %(unit)s")),
    "same_grades": Wording(
        "teaches grade {grades} too", N_("undervisar också i årskurs %(grades)s")
    ),
    "same_stage": Wording("teaches in the same school stage", N_("undervisar på samma stadium")),
    "shared_documents": Wording(
        "has shared {num} document(s) in the newcomer's subjects",
        Np_(
            "har delat %(num)d dokument i den nyanställdas ämnen",
            "har delat %(num)d dokument i den nyanställdas ämnen",
        ),
    ),
    "mentoring_experience": Wording(
        "has mentoring experience (declared skill)",
        N_("har erfarenhet av mentorskap (angiven kunskap)"),
    ),
    "since": Wording("has worked here since {year}", N_("har arbetat här sedan %(year)s")),
    "room": Wording(
        "willing to mentor, room for {num} more",
        Np_(
            "vill vara mentor och har plats för %(num)d till",
            "vill vara mentor och har plats för %(num)d till",
        ),
    ),
    "no_mentor": Wording("no willing mentor with room left", N_("ingen mentor med plats kvar")),
}
ENGLISH = {code: wording.english for code, wording in WORDINGS.items()}


class Reason(str):
    """An English sentence with the code and values it says; use it wherever a str goes."""

    code: str
    values: dict

    def __new__(cls, code: str, **values) -> Reason:
        text = super().__new__(cls, ENGLISH[code].format(**values))
        text.code = code
        text.values = values
        return text
