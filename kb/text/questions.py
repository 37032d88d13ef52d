"""How a question asks what the learning groups have learned: one place for both readings."""

from __future__ import annotations

import re

# A search question that asks what the groups learned (the page then offers /learned).
LEARNED = re.compile(
    r"\b(lärt oss|lärde vi|lärdomar|vad tar vi med oss|erfarenhet(er)? av|"
    r"what (have|did) we learn|lessons learned|learned about)\b",
    re.I,
)
# "Vad har vi lärt oss om läsutmaningar?" asks about "läsutmaningar": the rest is the frame.
QUESTION_FRAME = re.compile(
    r"^\s*(vad har (vi|ni|de) lärt (oss|er|sig) om|vad lärde vi oss om|"
    r"what (have|did) we learn(ed)? about)\s+|\s*\?+\s*$",
    re.I,
)

# A question that asks how something is done ("hur gör vi med läsloggar?").
HOWTO = re.compile(
    r"^\s*(hur (gör|gjorde|kan|ska|brukar|jobbar|arbetar) (man|vi|jag|ni|du)|"
    r"how (do|did|can|should) (we|i|you)|how to)\b",
    re.I,
)


def wants_howto(text: str) -> bool:
    """Tell whether a question asks how something is done."""
    return bool(HOWTO.search(text))


def wants_learned(text: str) -> bool:
    """Tell whether a question asks what the groups have learned."""
    return bool(LEARNED.search(text))


def learned_topic(question: str) -> str:
    """Return what a "what have we learned about …?" question is about."""
    return QUESTION_FRAME.sub("", question).strip() or question
