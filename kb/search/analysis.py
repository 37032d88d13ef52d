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
from dataclasses import dataclass
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

__all__ = [
    "TOKEN_PATTERN",
    "DecompoundFilter",
    "NfcFilter",
    "decompound",
    "exact_analyzer",
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
MIN_PART_LENGTH = 3
# Hunspell's COMPOUNDWORDMAX for sv_SE.
MAX_PARTS = 4

DICTIONARY_NAME = "sv_SE"

# Prepositions and particles form lexicalised words rather than compounds:
# "undervisning" is not a kind of "visning", nor "uppgifter" a kind of "gifter".
# fmt: off
_BLOCKED_MODIFIERS = frozenset(
    {
        "allt", "bak", "bakom", "bort", "bredvid", "efter", "emellan", "emot", "fram",
        "framför", "före", "förut", "från", "för", "genom", "hit", "hos", "igen", "inför",
        "inne", "inom", "kring", "mot", "med", "ned", "ner", "omkring", "ovan", "runt",
        "samman", "sedan", "sönder", "till", "tillbaka", "under", "upp", "uppe", "ute",
        "utan", "utanför", "utom", "vid", "åter", "över",
    }
)
# fmt: on

# Dictionary words that double as derivational suffixes: "möjlighet" is not "möjlig" +
# "het", "långsam" not "lång" + "sam", "patrullering" not "patruller" + "ing".
# fmt: off
_BLOCKED_HEADS = frozenset(
    {
        "ande", "anden", "andar", "are", "aren", "bar", "dom", "else", "ende", "ens",
        "era", "het", "heten", "ing", "ion", "ism", "ist", "ister", "lig", "ligt", "lik",
        "ning", "sam", "samt", "skap", "tion",
    }
)
# fmt: on

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

# Words built with the verb suffix "-era" and its nominalisation "-ering" ...
_VERB_DERIVATION_ENDINGS = ("era", "ering")
# ... may not split into a head this short, which would be cut out of the suffix.
_MAX_SUFFIX_HEAD = 5

# Flags of sv_SE.aff the decompounder relies on.
_FORBIDDEN = "%"
_NEED_AFFIX = "¤"
_ONLY_IN_COMPOUND = "Z"
_COMPOUND_PERMIT = "W"
_COMPOUND_BEGIN = "X"
_COMPOUND_MIDDLE = "U"
_COMPOUND_END = "Y"
# Verb conjugation flags: K (strong and 2nd conjugation) and m (1st conjugation "-ar").
_VERB_FLAGS = "Km"


@dataclass(frozen=True, slots=True)
class _Suffix:
    """One SFX rule line of the .aff file."""

    flag: str
    strip: str
    add: str
    condition: re.Pattern[str] | None
    # Rules whose continuation flags carry COMPOUNDPERMITFLAG make compound-initial
    # forms ("betyg" -> "betygs", "skola" -> "skol"), not standalone inflections.
    compound_form: bool


@dataclass(frozen=True, slots=True)
class _Reading:
    """One way of reading a segment of a word as a part of a compound."""

    lemma: str
    # Letters of the segment that belong to the word itself, i.e. without a linking
    # letter; used to penalise splits into tiny parts.
    core_length: int
    # Hunspell's compound flags allow the part in this slot of a compound.
    licensed: bool
    # A form Hunspell does not know at all, made up by a generic Swedish rule.
    guessed: bool = False
    # What to index for the part, when it differs from ``lemma``: the infinitive of a
    # verb stem, because Snowball reads "läs" as genitive "lä" + s but "läsa" as "läs".
    index_form: str = ""


class _Lexicon:
    """Look up Swedish word forms in a Hunspell dictionary without expanding it."""

    def __init__(self, entries: dict[str, str], suffixes: list[_Suffix]):
        self.entries = entries
        # Inflections and compound-forming suffixes are never needed in the same lookup.
        # Forms ending in a hyphen ("idrotts-" in "idrotts- och friluftsliv") never reach
        # the decompounder because the tokenizer splits at hyphens.
        inflections = [s for s in suffixes if not s.compound_form and "-" not in s.add]
        self.inflections = _index_by_add(inflections)
        self.compound_forms = _index_by_add(s for s in suffixes if s.compound_form)
        self.inflection_flags = "".join(sorted({s.flag for s in inflections}))
        self.max_add = max((len(s.add) for s in suffixes), default=0)

    def _bases(self, form: str, index: dict[str, tuple[_Suffix, ...]]) -> Iterator[str]:
        """Yield the entries that a rule in ``index`` turns into ``form``."""
        entries = self.entries
        # Leave at least one letter of stem.
        for size in range(min(len(form) - 1, self.max_add) + 1):
            rules = index.get(form[len(form) - size :] if size else "")
            if not rules:
                continue
            stem = form[: len(form) - size]
            for rule in rules:
                base = stem + rule.strip
                flags = entries.get(base)
                if flags is None or rule.flag not in flags:
                    continue
                if rule.condition is not None and not rule.condition.search(base):
                    continue
                yield base

    def is_word(self, form: str) -> bool:
        """Return True when ``form`` is an entry usable as a word on its own."""
        flags = self.entries.get(form)
        return flags is not None and not _has_any(flags, _NEED_AFFIX + _ONLY_IN_COMPOUND)

    def is_lemma(self, form: str) -> bool:
        """Return True when ``form`` is an entry that inflects, i.e. a dictionary form."""
        flags = self.entries.get(form)
        return flags is not None and _has_any(flags, self.inflection_flags)

    def lemmas(self, form: str) -> tuple[str, ...]:
        """Return the dictionary forms that ``form`` is a standalone inflection of."""
        if self.is_lemma(form):
            # "planet" is a lemma of its own, not "plan" + "et".
            return (form,) if self.is_word(form) else ()
        found = sorted(set(self._bases(form, self.inflections)), key=lambda w: (-len(w), w))
        if found:
            return tuple(found)
        # The .dic also lists some inflected forms bare or with compound flags only
        # ("väggarna/XY", "elevrådet"); they end up here when no rule explains them.
        return (form,) if self.is_word(form) else ()

    def head(self, form: str) -> _Reading | None:
        """Return how ``form`` reads as the last part of a compound, if it can."""
        lemmas = self.lemmas(form)
        if not lemmas or form in _BLOCKED_HEADS or lemmas[0] in _BLOCKED_HEADS:
            return None
        licensed = any(_COMPOUND_END in self.entries.get(w, "") for w in (form, *lemmas))
        return _Reading(lemmas[0], len(form), licensed)

    def modifier(self, form: str) -> _Reading | None:
        """Return the best reading of ``form`` as a non-final compound part, if any."""
        if form in _BLOCKED_MODIFIERS:
            return None
        readings: list[_Reading] = []
        flags = self.entries.get(form)
        if flags is not None and _NEED_AFFIX not in flags:
            licensed = _has_any(flags, _COMPOUND_BEGIN + _COMPOUND_MIDDLE)
            readings.append(_Reading(form, len(form), licensed))
        for base in self._bases(form, self.compound_forms):
            readings.append(_Reading(base, _common_prefix_length(form, base), True))
        # Forms Hunspell does not list but Swedish builds freely, ranked below the
        # licensed ones: verb stems ("läs" in "läsfrämjande"), nouns that drop their
        # final vowel ("glos" in "glosförhör") and a linking -s- ("dags" in "dagsavgift").
        if self.is_verb(form + "a"):
            readings.append(_Reading(form, len(form), False))
        for vowel in "ae":
            if self.is_lemma(form + vowel) and not self.is_verb(form + vowel):
                readings.append(_Reading(form + vowel, len(form), False, guessed=True))
        if form.endswith("s") and self.is_lemma(form[:-1]):
            readings.append(_Reading(form[:-1], len(form) - 1, False, guessed=True))
        readings = [
            r
            for r in readings
            if r.core_length >= MIN_PART_LENGTH and r.lemma not in _BLOCKED_MODIFIERS
        ]
        if not readings:
            return None
        # Licensed readings first ("betygs" is betyg + linking s), then known forms over
        # guessed ones, then the one keeping the most of the segment (bare "kurs" rather
        # than "kur" + s).
        best = max(readings, key=lambda r: (r.licensed, not r.guessed, r.core_length))
        display = self._display_form(form, readings)
        verb_stem = not self.is_lemma(display) and self.is_verb(display + "a")
        index_form = display + "a" if verb_stem else display
        return _Reading(display, best.core_length, best.licensed, best.guessed, index_form)

    def is_verb(self, form: str) -> bool:
        """Return True when ``form`` is a verb infinitive in the dictionary."""
        flags = self.entries.get(form)
        return flags is not None and form.endswith("a") and _has_any(flags, _VERB_FLAGS)

    def _display_form(self, form: str, readings: list[_Reading]) -> str:
        """Pick the word to emit for a modifier: its dictionary form where one is known."""
        # Emitting "betyg" for "betygs" and "arbete" for "arbets" lets the modifier meet
        # every inflection of the word once stemmed.
        if self.is_lemma(form) and self.is_word(form):
            return form
        for reading in sorted(readings, key=lambda r: -r.core_length):
            if reading.lemma != form and self.is_lemma(reading.lemma):
                return reading.lemma
        if self.is_verb(form + "a") or self.is_word(form):
            return form
        # Compound-only stems the .dic lists bare, without a rule leading back to their
        # word: "arbets", "lärar", "förskole", "mellanstadie".
        bases = (form[:-1], form) if form.endswith("s") else (form,)
        for base in bases:
            candidates = [base, base + "e", base + "a"]
            if base[-1] in "eou":
                candidates.append(base[:-1] + "a")
            if base.endswith("ie"):
                candidates.append(base[:-2] + "ium")
            for candidate in candidates:
                if candidate != form and self.is_word(candidate):
                    return candidate
        return form


def _index_by_add(suffixes: Iterable[_Suffix]) -> dict[str, tuple[_Suffix, ...]]:
    index: dict[str, list[_Suffix]] = {}
    for suffix in suffixes:
        index.setdefault(suffix.add, []).append(suffix)
    return {add: tuple(rules) for add, rules in index.items()}


def _has_any(flags: str, wanted: str) -> bool:
    return any(flag in flags for flag in wanted)


def _common_prefix_length(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


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


def _parse_aff(path: Path) -> list[_Suffix]:
    suffixes: list[_Suffix] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            fields = line.split()
            # Rule lines have five or more fields; headers ("SFX A Y 1") have four.
            if len(fields) < 5 or fields[0] != "SFX":
                continue
            _, flag, strip, add, condition = fields[:5]
            add, _, continuation = add.partition("/")
            suffixes.append(
                _Suffix(
                    flag=flag,
                    strip="" if strip == "0" else strip,
                    add="" if add == "0" else add,
                    condition=None if condition == "." else re.compile(f"(?:{condition})$"),
                    compound_form=_COMPOUND_PERMIT in continuation,
                )
            )
    return suffixes


def _parse_dic(path: Path) -> dict[str, str]:
    entries: dict[str, str] = {}
    with path.open(encoding="utf-8", errors="replace") as fh:
        next(fh, None)  # the approximate entry count
        for line in fh:
            word, _, flags = line.strip().partition("/")
            # Multi-word entries ("Boda Borg") can never match a single token.
            if not word or " " in word or "\t" in word:
                continue
            flags = flags.split(None, 1)[0] if flags.strip() else ""
            if _FORBIDDEN in flags:
                continue
            word = word.lower()
            # Homonyms ("kort" noun and adjective) are separate lines; merge their flags.
            entries[word] = entries.get(word, "") + flags
    return entries


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


@dataclass(frozen=True, slots=True)
class _Split:
    """A segmentation of a word into (segment, reading) pairs, the head last."""

    parts: tuple[tuple[str, _Reading], ...]

    @property
    def unlicensed(self) -> int:
        return sum(not reading.licensed for _, reading in self.parts)

    def score(self) -> tuple[int, int, int, int]:
        """Return a sort key; lower is better."""
        # Fewest parts first (keeps "mellanstadie" whole in "mellanstadieelever"), then
        # parts Hunspell licenses for compounding (prefers "begrepps|korten" over
        # "begrepp|skorten"), then known forms over guessed ones (prefers "lär|plattform"
        # over "lärplatt(a)|form"), then the longest shortest part.
        guessed = sum(reading.guessed for _, reading in self.parts)
        shortest = min(reading.core_length for _, reading in self.parts)
        return (len(self.parts), self.unlicensed, guessed, -shortest)

    def is_plausible(self) -> bool:
        """Return True when the split is trustworthy enough to index."""
        # Measured on the lexicon itself: two-part splits with one part Hunspell does not
        # license are nearly always right ("läs|främjande"), with two nearly always
        # wrong ("per|siska"); longer splits are only right when fully licensed.
        return self.unlicensed == 0 or (len(self.parts) == 2 and self.unlicensed == 1)


_Memo = dict[tuple[str, int], "_Split | None"]


def _best(splits: Iterable[_Split]) -> _Split | None:
    return min(splits, key=_Split.score, default=None)


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
