"""Query expansion from a Swedish thesaurus: everyday words reach the material's own terms.

The word list is Viggo Kann's Swedish thesaurus as Debian's mythes-sv ships it (LibreOffice
dictionaries), reduced to single-word entries; its licence is kb/search/query/data/THESAURUS-LICENSE.
Without the file the search runs without expansion (kb doctor says so).
"""

from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path

from kb.search.indexes.analysis import stem
from kb.search.query.spelling import STOP

PATH = Path(__file__).parent / "data" / "thesaurus-sv.txt.gz"
WORD = re.compile(r"[^\W\d_]+")
PER_WORD = 4


@functools.cache
def table(path: Path = PATH) -> dict[str, tuple[str, ...]]:
    """Return {stem of a headword: its synonyms}; empty when the word list is missing."""
    if not path.exists():
        return {}
    out: dict[str, list[str]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or "|" not in line:
                continue
            head, *synonyms = line.rstrip("\n").split("|")
            out.setdefault(stem(head), []).extend(synonyms)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def available() -> bool:
    """Tell whether the thesaurus could be read."""
    return bool(table())


def expansions(text: str, per_word: int = PER_WORD) -> list[str]:
    """Return synonyms of the question's content words, none of them a form of its own words."""
    words = [w for w in WORD.findall(text.lower()) if len(w) >= 4 and w not in STOP]
    own = {stem(w) for w in words}
    out: list[str] = []
    for word in words:
        found = [s for s in table().get(stem(word), ()) if stem(s) not in own]
        out += found[:per_word]
    return list(dict.fromkeys(out))
