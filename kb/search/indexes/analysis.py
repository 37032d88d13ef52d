"""Analyse Swedish text for the keyword leg of the hybrid search."""

# The stemmed chain is: Unicode tokenizer -> NFC -> lowercase -> Swedish stop words ->
# decompounding -> lemma-guided Snowball stemming.
#
# Decompounding and lemmatisation use the Hunspell sv_SE lexicon shipped by the
# hunspell-sv package. The .dic file is parsed directly and the .aff suffix rules are
# applied in reverse at lookup time, so nothing is expanded up front and loading stays
# cheap (about 0.2 s).

from __future__ import annotations

import functools
import logging
import re
import sysconfig
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh.analysis import (
    Analyzer,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.acore import Token
from whoosh.lang import stemmer_for_language, stopwords_for_language

from kb.search.indexes.lexicon import (
    _BLOCKED_MODIFIERS,
    _MAX_SUFFIX_HEAD,
    _VERB_DERIVATION_ENDINGS,
    MIN_PART_LENGTH,
    _best,
    _Lexicon,
    _Memo,
    _parse_aff,
    _parse_dic,
    _Reading,
    _Split,
)

__all__ = [
    "TOKEN_PATTERN",
    "DecompoundFilter",
    "NfcFilter",
    "decompound",
    "exact_analyzer",
    "known_word",
    "lemma",
    "lexicon_available",
    "stem",
    "swedish_analyzer",
]

log = logging.getLogger(__name__)

# Runs of letters/digits in any script. Combining marks are included so that text in
# decomposed form (NFD, common in text copied from PDFs and macOS) is not split at every
# "å"; NfcFilter recomposes it. Everything else, including "-", ":" and "_", separates
# tokens: "micro:bit" -> "micro", "bit"; "exit-ticket" -> "exit", "ticket".
TOKEN_PATTERN = r"(?:[^\W_]|[\u0300-\u036f])+"

# With parts of at least 3 letters, shorter words would split as "kam|rat"-like noise.
MIN_COMPOUND_LENGTH = 7
# Longer tokens are URLs, hashes or run-together garbage, and cost quadratic time.
MAX_COMPOUND_LENGTH = 40
# Hunspell's COMPOUNDWORDMAX for sv_SE.
MAX_PARTS = 4

DICTIONARY_NAME = "sv_SE"

# Common school words whose dictionary split is etymology, not meaning: a search for
# "tyg" (fabric) must not find "verktyg", nor "ring" "utvärdering".
# fmt: off
_NOT_COMPOUNDS = frozenset(
    {
        "bokstav", "dokument", "erfarenhet", "fotosyntes", "gemensam", "instrument",
        "kommun", "redovisning", "reflektion", "rektor", "sannolik", "sannolikhet",
        "storlek", "utvärdering", "utvärdera", "verktyg",
    }
)
# fmt: on

# --------------------------------------------------------------------------- loading


def dictionary_dirs() -> list[Path]:
    """Return the directories searched for sv_SE.dic and sv_SE.aff, in order."""
    data = Path(sysconfig.get_paths()["data"])
    return [data / "share" / "hunspell", Path("/usr/share/hunspell"), Path("/usr/share/myspell")]


def _find_dictionary() -> tuple[Path, Path] | None:
    for directory in dictionary_dirs():
        dic = directory / f"{DICTIONARY_NAME}.dic"
        aff = directory / f"{DICTIONARY_NAME}.aff"
        if dic.is_file() and aff.is_file():
            return dic, aff
    return None


_lexicon: _Lexicon | None = None
_lexicon_loaded = False
_lexicon_lock = threading.Lock()


def _get_lexicon() -> _Lexicon | None:
    """Load the Hunspell lexicon once; return None, after one warning, if it is missing."""
    global _lexicon, _lexicon_loaded
    if _lexicon_loaded:
        return _lexicon
    with _lexicon_lock:
        if not _lexicon_loaded:
            _lexicon = _load_lexicon()
            _lexicon_loaded = True
    return _lexicon


def _load_lexicon() -> _Lexicon | None:
    found = _find_dictionary()
    if found is None:
        log.warning(
            "Hunspell %s dictionary not found in %s; Swedish compounds will not be split "
            "and words will only be Snowball-stemmed",
            DICTIONARY_NAME,
            ", ".join(str(d) for d in dictionary_dirs()),
        )
        return None
    dic, aff = found
    try:
        return _Lexicon(_parse_dic(dic), _parse_aff(aff))
    except (OSError, ValueError, re.error):
        log.warning(
            "Could not read Hunspell dictionary %s; Swedish compounds will not be split",
            dic,
            exc_info=True,
        )
        return None


def lexicon_available() -> bool:
    """Load the lexicon if needed and report whether decompounding is possible."""
    return _get_lexicon() is not None


def reset_lexicon() -> None:
    """Forget the loaded lexicon and all memoised results, e.g. after moving the files."""
    global _lexicon, _lexicon_loaded
    with _lexicon_lock:
        _lexicon = None
        _lexicon_loaded = False
    for cached in (_modifier, _head, _split, lemma, stem):
        cached.cache_clear()


# ------------------------------------------------------------------- decompounding


@functools.lru_cache(maxsize=65_536)
def _modifier(form: str) -> _Reading | None:
    lexicon = _get_lexicon()
    return None if lexicon is None else lexicon.modifier(form)


@functools.lru_cache(maxsize=65_536)
def _head(form: str) -> _Reading | None:
    lexicon = _get_lexicon()
    return None if lexicon is None else lexicon.head(form)


def _multi_part_splits(word: str, max_parts: int, memo: _Memo) -> Iterator[_Split]:
    """Yield segmentations of ``word`` into 2 to ``max_parts`` parts."""
    if max_parts < 2:
        return
    for i in range(MIN_PART_LENGTH, len(word) - MIN_PART_LENGTH + 1):
        modifier = word[:i]
        reading = _modifier(modifier)
        # Hunspell's SIMPLIFIEDTRIPLE: "fall" + "lucka" is spelled "fallucka". Only a
        # fallback, or "läs|strategier" would also read as "läss|strategier".
        if reading is None and word[i - 1] == word[i] and word[i - 2] != word[i - 1]:
            modifier = word[:i] + word[i]
            reading = _modifier(modifier)
        if reading is None:
            continue
        rest = _best_split(word[i:], max_parts - 1, memo)
        if rest is not None:
            yield _Split(((modifier, reading), *rest.parts))


def _best_split(word: str, max_parts: int, memo: _Memo) -> _Split | None:
    """Return the best reading of ``word`` as one head or up to ``max_parts`` parts."""
    key = (word, max_parts)
    if key not in memo:
        head = _head(word)
        whole = [_Split(((word, head),))] if head is not None else []
        memo[key] = _best([*whole, *_multi_part_splits(word, max_parts, memo)])
    return memo[key]


def _split_word(word: str) -> _Split | None:
    candidates = (s for s in _multi_part_splits(word, MAX_PARTS, {}) if s.is_plausible())
    if word.endswith(_VERB_DERIVATION_ENDINGS):
        # "värdering" is "värdera" + "-ing", not "värde" + "ring"; likewise
        # "kontrollera", "kategorisera": a short head there is the suffix itself.
        candidates = (s for s in candidates if len(s.parts[-1][0]) > _MAX_SUFFIX_HEAD)
    return _best(candidates)


def _is_particle_formation(word: str) -> bool:
    """Return True for words like "genomgång", a particle and a word but no compound."""
    # Without this check "genomgång" would still split, as "gen|omgång".
    return any(
        word.startswith(particle)
        and len(word) - len(particle) >= MIN_PART_LENGTH
        and _head(word[len(particle) :]) is not None
        for particle in _BLOCKED_MODIFIERS
    )


def _split_inflected(word: str, lemma_: str) -> _Split | None:
    by_lemma = _split_word(lemma_) if len(lemma_) >= MIN_COMPOUND_LENGTH else None
    if by_lemma is None:
        return None
    prefix = "".join(segment for segment, _ in by_lemma.parts[:-1])
    if not word.startswith(prefix):
        # Umlaut plurals change the head's vowel, not the modifiers: fall back to
        # splitting the form itself.
        return _split_word(word)
    head = _head(word[len(prefix) :])
    if head is None:
        return _split_word(word)
    return _Split((*by_lemma.parts[:-1], (word[len(prefix) :], head)))


@functools.lru_cache(maxsize=100_000)
def _split(word: str) -> tuple[tuple[str, _Reading], ...]:
    """Return ((segment, reading), ...) for a lowercase compound, or () for other words."""
    if not MIN_COMPOUND_LENGTH <= len(word) <= MAX_COMPOUND_LENGTH or not word.isalpha():
        return ()
    lexicon = _get_lexicon()
    if lexicon is None:
        return ()
    lemmas = lexicon.lemmas(word)
    if word in _NOT_COMPOUNDS or (lemmas and lemmas[0] in _NOT_COMPOUNDS):
        return ()
    if _is_particle_formation(word):
        return ()
    # Split an inflected form the way its dictionary form splits, so that all forms of
    # a word index the same parts: "högstadiet" as "hög|stadiet" because of
    # "hög|stadium" (not "högsta|diet"), and "rektorn" not at all (not "rek|torn").
    inflected = bool(lemmas) and lemmas[0] != word
    best = _split_inflected(word, lemmas[0]) if inflected else _split_word(word)
    return () if best is None else best.parts


def decompound(word: str) -> list[str]:
    """Split a Swedish compound into its parts, or return ``[word]`` if it is not one."""
    # Modifiers come back in dictionary form without linking letters, the head as
    # written: "betygssamtalen" -> ["betyg", "samtalen"]. Hyphenated words split at the
    # hyphens first: "exit-ticket-mallar" -> ["exit", "ticket", "mallar"].
    lowered = unicodedata.normalize("NFC", word).lower()
    pieces = [piece for piece in re.split(r"[-:]", lowered) if piece]
    if len(pieces) > 1:
        return [part for piece in pieces for part in decompound(piece)]
    parts = _parts(lowered)
    return parts if parts else [word]


def _parts(word: str, for_index: bool = False) -> list[str]:
    split = _split(word)
    if not split:
        return []
    *modifiers, (head, _) = split
    if for_index:
        return [reading.index_form or reading.lemma for _, reading in modifiers] + [head]
    return [reading.lemma for _, reading in modifiers] + [head]


# ---------------------------------------------------------------------- stemming

_snowball = stemmer_for_language("sv")


@functools.lru_cache(maxsize=100_000)
def lemma(word: str) -> str:
    """Return the dictionary form of a lowercase word, or the word itself when unknown."""
    lexicon = _get_lexicon()
    if lexicon is None:
        return word
    lemmas = lexicon.lemmas(word)
    if lemmas:
        return lemmas[0]
    # A compound missing from the dictionary gets the lemma of its head:
    # "klassbiblioteket" -> "klassbibliotek".
    split = _split(word)
    if split:
        head, reading = split[-1]
        return word[: len(word) - len(head)] + reading.lemma
    return word


def known_word(word: str) -> bool:
    """Tell whether a lowercase word is in the Swedish dictionary (as itself or inflected)."""
    lexicon = _get_lexicon()
    return bool(lexicon and lexicon.lemmas(word))


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Stem a lowercase Swedish word by applying Snowball to its dictionary form."""
    # Snowball alone never removes the neuter definite "-et", so "biblioteket" and
    # "bibliotek" would not meet; going through the dictionary form fixes that.
    return _snowball(lemma(word))


# ------------------------------------------------------------------------ filters


class NfcFilter(Filter):
    """Compose decomposed characters so that "a" + combining ring matches "å"."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        """Yield the tokens with their text in Unicode NFC."""
        for t in tokens:
            if not t.text.isascii():
                t.text = unicodedata.normalize("NFC", t.text)
            yield t


class DecompoundFilter(Filter):
    """Add the parts of Swedish compounds at the position of the compound."""

    # Only documents are expanded by default. Whoosh's query parser reads a phrase as a
    # plain list of tokens, so parts added to a query would break phrase queries, and a
    # query term already matches the parts indexed for a document ("bibliotek" finds
    # "skolbiblioteket"). expand_queries=True also expands queries, so "skolbiblioteket"
    # finds "skolans bibliotek" too. Highlighting wants the parts: analyse with
    # mode="index" there.

    def __init__(self, expand_queries: bool = False):
        self.expand_queries = expand_queries

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        """Yield each token, followed by its compound parts when it has any."""
        for t in tokens:
            # Read the text first: later filters rewrite it in place once it is yielded.
            original = t.text
            yield t
            if t.stopped or (t.mode == "query" and not self.expand_queries):
                continue
            # The parts keep the compound's position and character range, so phrase
            # queries and highlighting over the original words still line up.
            for part in _parts(original, for_index=True):
                if part != original:
                    t.text = part
                    yield t


def swedish_analyzer() -> Analyzer:
    """Build the analyzer for stemmed Swedish full-text fields."""
    return (
        RegexTokenizer(expression=TOKEN_PATTERN)
        | NfcFilter()
        | LowercaseFilter()
        # minsize=1 keeps single digits and letters ("åk 7", "F-3"); the one-letter
        # word that is noise, "i", is on the stop list anyway.
        | StopFilter(stoplist=frozenset(stopwords_for_language("sv")), minsize=1)
        | DecompoundFilter()
        # stem() is memoised itself, shared by every analyzer instance.
        | StemFilter(stemfn=stem, cachesize=None)
    )


def exact_analyzer() -> Analyzer:
    """Build the analyzer for exact-word and phrase fields: tokenize and lowercase only."""
    return RegexTokenizer(expression=TOKEN_PATTERN) | NfcFilter() | LowercaseFilter()
