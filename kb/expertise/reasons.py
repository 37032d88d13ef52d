"""Reasons a person can read, kept with the code and values they were made from.

A `Reason` is the English sentence the API and the command line show (it *is* a `str`), and it
carries `code` and `values`, so the pages can say the same in the reader's language without
parsing the sentence.
"""

from __future__ import annotations

ENGLISH = {
    "wrote_material": "wrote the material “{title}”",
    "wrote_reflection": "wrote the reflection “{title}”",
    "cowrote_material": "co-wrote the material “{title}”",
    "cowrote_reflection": "co-wrote the reflection “{title}”",
    "took_part": "took part in the meeting “{title}”",
    "named_material": "is named in the material “{title}”",
    "named_reflection": "is named in the reflection “{title}”",
    "declared_skill": "declares the skill “{name}” at level {level} of 5",
    "declared_skill_unbacked": (
        "declares the skill “{name}” at level {level} of 5; no shared material shows it yet"
    ),
    "same_subjects": "teaches {subjects} too",
    "same_unit": "works at {unit} too",
    "same_grades": "teaches grade {grades} too",
    "same_stage": "teaches in the same school stage",
    "shared_documents": "has shared {num} document(s) in the newcomer's subjects",
    "mentoring_experience": "has mentoring experience (declared skill)",
    "since": "has worked here since {year}",
    "room": "willing to mentor, room for {num} more",
    "no_mentor": "no willing mentor with room left",
}


class Reason(str):
    """An English sentence with the code and values it says; use it wherever a str goes."""

    code: str
    values: dict

    def __new__(cls, code: str, **values) -> Reason:
        text = super().__new__(cls, ENGLISH[code].format(**values))
        text.code = code
        text.values = values
        return text
