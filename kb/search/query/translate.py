"""English questions in Swedish words: a school word list, then a general dictionary.

A colleague may ask in English ("peer feedback on pupils' writing") about material written in
Swedish. The question is turned word by word into Swedish with the longest phrase of the word
list first (kb/search/query/data/en-sv-school.tsv, written for kb: the English of schools and
libraries), then, for words the list lacks, Debian's FreeDict English-Swedish dictionary when
it is installed (read from /usr/share/dictd, never copied into kb: it is GPL-2+). A word
neither knows stays as it is: "exit tickets" and names are used in Swedish too.
"""

from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Callable
from pathlib import Path

from whoosh.lang import stopwords_for_language

from kb.search.indexes.analysis import known_word
from kb.search.query.wordlist import read_word_list
from kb.text.language import EN_WORDS, SV_WORDS, detect_query_language

SCHOOL = Path(__file__).parent / "data" / "en-sv-school.tsv"
FREEDICT = Path("/usr/share/dictd/freedict-eng-swe.dict.dz")
WORD = re.compile(r"[a-zA-ZåäöÅÄÖéÉ'-]+")
# The longest English phrase of the word list, in words.
MAX_PHRASE = 5
# A dictd entry starts with its headword and its pronunciation: "pupil /pjuːpl/".
HEADWORD = re.compile(r"([A-Za-z][A-Za-z'-]*) /[^/]*/")
SWEDISH_WORD = re.compile(r"[a-zåäöé]{2,}", re.I)
# English function words: left out, never looked up (FreeDict gives "to" as "på, till").
STOP_EN = frozenset(stopwords_for_language("en")) | EN_WORDS
# Translations kept per English word from the general dictionary (its first senses).
PER_WORD = 2


@functools.cache
def school_words(path: Path = SCHOOL) -> dict[str, tuple[str, ...]]:
    """Return {English word or phrase: Swedish words} from the school word list."""
    return read_word_list(path)


@functools.cache
def general_words(path: Path = FREEDICT) -> dict[str, tuple[str, ...]]:
    """Return {English word: Swedish words} from FreeDict's dictd file; empty when missing."""
    if not path.exists():
        return {}
    out: dict[str, list[str]] = {}
    head = None
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            entry = HEADWORD.fullmatch(line)
            if entry:
                head = entry.group(1).lower()
            elif head and line and " " not in head:
                sense = re.sub(r"^\d+\.\s*", "", line)
                words = [w.strip() for w in re.split(r"[,;]", sense) if w.strip()]
                out.setdefault(head, []).extend(w for w in words if SWEDISH_WORD.fullmatch(w))
    return {k: tuple(dict.fromkeys(v))[:PER_WORD] for k, v in out.items() if v}


def general(word: str) -> tuple[str, ...]:
    """Return the general dictionary's Swedish for an English word or its singular."""
    if word in STOP_EN:
        return ()
    table = general_words()
    for form in (
        word,
        word[:-1] if word.endswith("s") else "",
        word[:-3] + "y" if word.endswith("ies") else "",
    ):
        if form and form in table:
            return table[form]
    return ()


def available() -> dict[str, int]:
    """Say how many entries each word list has (kb doctor)."""
    return {"school": len(school_words()), "general": len(general_words())}


def segments(text: str) -> list[tuple[str, tuple[str, ...] | None]]:
    """Split a question into the word list's phrases (longest first) and single words.

    Each segment is (English words, their Swedish from the word list or None).
    """
    words = [w.lower().strip("'-") for w in WORD.findall(text)]
    words = [w[:-2] if w.endswith("'s") else w for w in words if w]
    lists = school_words()
    out: list[tuple[str, tuple[str, ...] | None]] = []
    i = 0
    while i < len(words):
        for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            if phrase in lists:
                out.append((phrase, lists[phrase]))
                i += n
                break
        else:
            out.append((words[i], None))
            i += 1
    return out


def is_english(text: str) -> bool:
    """Tell whether a question is in English.

    Clearly so by its function words (two or more, kb.text.language); otherwise by a vote of
    its words: a phrase of the word list, an English function word, or a listed English word
    that is no Swedish word votes English; a Swedish function word or a Swedish word the lists
    lack votes Swedish; a word both languages have ("film", "algebra") does not vote.
    """
    language = detect_query_language(text)
    if language is not None:
        return language == "en"
    english = swedish = 0
    for phrase, listed in segments(text):
        n = phrase.count(" ") + 1
        if phrase.isdigit():
            continue
        if n > 1 or phrase in EN_WORDS:
            english += n
        elif phrase in SV_WORDS:
            swedish += 1
        elif known_word(phrase):
            swedish += listed is None and not general(phrase)
        elif listed is not None or general(phrase):
            english += 1
    return english > swedish


def swedish_groups(
    text: str, known: Callable[[str], bool] = lambda word: True
) -> list[tuple[str, ...]]:
    """Return the Swedish alternatives of each English phrase of the question, in order.

    Of each phrase's Swedish words only those `known` accepts are kept (the words of the
    viewer's own material), or the first when it accepts none: an alternative the material
    never uses neither helps nor should count as a word the answer lacks. A word neither
    list has stays as it is.
    """
    out: list[tuple[str, ...]] = []
    for phrase, listed in segments(text):
        words = listed if listed is not None else general(phrase)
        if words:
            out.append(tuple(w for w in words if known(w)) or tuple(words[:1]))
        elif phrase not in STOP_EN:
            out.append((phrase,))
    return out


def to_swedish(text: str, known: Callable[[str], bool] = lambda word: True) -> str:
    """Return the question in Swedish words, longest phrases of the word list first."""
    words = [w for group in swedish_groups(text, known) for w in group]
    return " ".join(dict.fromkeys(words))


def content(text: str) -> str:
    """Return an English question without its function words (for the keyword leg)."""
    return " ".join(w for w in WORD.findall(text) if w.lower() not in STOP_EN)
