"""The Hunspell sv_SE lexicon: its suffix rules, word list and the readings of word parts.

kb.search.indexes.analysis loads it (and finds its files) and decompounds with it; this module knows
the format, a part's reading and how a split of a word is scored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Parts of a compound have at least this many letters.
MIN_PART_LENGTH = 3

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
