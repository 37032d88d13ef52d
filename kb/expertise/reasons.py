"""Reasons a person can read, kept with the code and values they were made from.

A `Reason` is the English sentence the API and the command line show (it *is* a `str`), and it
carries `code` and `values`, so the pages can say the same in the reader's language without
parsing the sentence.
"""

from __future__ import annotations

ENGLISH = {
    # experts: the person's part in a piece of evidence ...
    "wrote_material": "wrote this material",
    "wrote_reflection": "wrote this reflection",
    "cowrote_material": "co-wrote this material",
    "cowrote_reflection": "co-wrote this reflection",
    "took_part": "took part in this meeting",
    "named_material": "is named in this material",
    "named_reflection": "is named in this reflection",
    # ... and why the evidence is about the question
    "about_tags": "it is tagged “{terms}”",
    "about_title": "its title says “{terms}”",
    "about_text": "it mentions “{terms}” ({num} times)",
    "about_meaning": "its text is close in meaning to the question",
    "declared_skill": "declares the skill “{name}” at level {level} of 5",
    "declared_skill_unbacked": (
        "declares the skill “{name}” at level {level} of 5; no shared material shows it yet"
    ),
    # mentors
    "same_subjects": "teaches {subjects} too",
    "same_role": "works as {role} too",
    "same_unit": "works at {unit} too",
    "other_unit": "works at another unit ({unit}): nobody at the newcomer's unit fits",
    "same_stage": "teaches in the same school stage ({stage})",
    "shared_documents": "has shared {num} document(s) in the newcomer's subjects",
    "mentors_now": "mentors {num} newcomer(s) now",
    "mentoring_experience": "has mentoring experience (declared skill)",
    "since": "has worked here since {year}",
    "room": "willing to mentor, room for {num} more",
    "no_mentor": "no willing mentor with room left",
    "running": "already their mentor",
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
