"""Tell Swedish from English by their function words, for documents and for queries."""

from __future__ import annotations

import re

SV_WORDS = frozenset(
    {
        "och",
        "att",
        "det",
        "som",
        "en",
        "på",
        "är",
        "av",
        "för",
        "med",
        "till",
        "den",
        "har",
        "de",
        "inte",
        "om",
        "ett",
        "vi",
        "hur",
        "eleverna",
        "kan",
        "vad",
        "när",
        "man",
        "jag",
        "vilka",
        "varför",
        "sig",
        "hos",
        "mellan",
        "också",
        "eller",
        "från",
        "hade",
        "vår",
    }
)
EN_WORDS = frozenset(
    {
        "the",
        "and",
        "to",
        "of",
        "a",
        "in",
        "is",
        "that",
        "for",
        "it",
        "with",
        "as",
        "on",
        "are",
        "this",
        "be",
        "they",
        "how",
        "what",
        "students",
        "can",
        "you",
        "when",
        "at",
        "do",
        "does",
        "we",
        "have",
        "which",
        "why",
        "from",
        "their",
        "about",
        "an",
        "or",
        "who",
    }
)
WORD = re.compile(r"[a-zåäöé]+")


def guess_language(text: str) -> str:
    """Guess sv or en from the share of common function words; Swedish when undecided."""
    words = WORD.findall(text.lower())[:2000]
    sv = sum(1 for w in words if w in SV_WORDS)
    en = sum(1 for w in words if w in EN_WORDS)
    return "en" if en > sv else "sv"


def detect_query_language(text: str) -> str | None:
    """Return sv or en when a question clearly is in that language, else None.

    Clearly: at least two function words of one language and more than of the other.
    Short keyword queries ("exit tickets", "micro:bit") stay undecided.
    """
    words = WORD.findall(text.lower())
    sv = sum(1 for w in words if w in SV_WORDS)
    en = sum(1 for w in words if w in EN_WORDS)
    if sv >= 2 and sv > en:
        return "sv"
    if en >= 2 and en > sv:
        return "en"
    return None
