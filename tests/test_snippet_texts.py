"""Snippets of any text come back at once: no document can hold up a search page."""

from __future__ import annotations

import threading

import pytest

from kb.text.snippets import opening, plain_text, sentences

# Texts that made the old Markdown patterns backtrack for seconds in the server (each a
# search that showed the document, and every request waiting behind it).
HOSTILE = {
    "unclosed brackets": "[" * 100_000,
    "unclosed asterisks": "*a " * 30_000,
    "unclosed backticks": "`a " * 30_000,
    "blank lines": "\n" * 20_000,
    "a line of tabs": "\t" * 100_000,
    "spaces around no pipe": " " * 50_000 + "x",
}


def finishes(work, seconds: float = 5.0) -> bool:
    """Run work in a thread and tell whether it ended within the time (the old code took
    minutes: the bound is far above what a linear scan needs, not a benchmark)."""
    done = threading.Event()
    threading.Thread(target=lambda: (work(), done.set()), daemon=True).start()
    return done.wait(seconds)


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_text_is_made_plain_at_once(kind):
    text = HOSTILE[kind]
    assert finishes(lambda: sentences(plain_text(text)))
    assert finishes(lambda: opening(text))


def test_markdown_is_shown_as_plain_text_without_its_marks():
    text = "## Rubrik\n\n- **Fet** och _kursiv_ med `kod` och [en länk](https://a.se)\n\n> citat"
    assert sentences(plain_text(text)) == [
        "Rubrik",
        "Fet och kursiv med kod och en länk",
        "citat",
    ]


def test_a_table_reads_as_cells_separated_by_dots():
    text = "| Vecka | Bok |\n|---|---|\n| 1 | Kapitelboken |"
    assert " ".join(sentences(plain_text(text))) == "· Vecka · Bok · · 1 · Kapitelboken ·"
