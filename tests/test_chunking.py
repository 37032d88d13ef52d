"""Specs for splitting documents into overlapping chunks."""

import pytest

from kb.text.chunking import chunk_text


def _sentences(count: int, words_each: int, tag: str = "S") -> list[str]:
    """Return sentences like 'S0 w w w.' whose first word names them."""
    return [f"{tag}{i} " + " ".join(["ord"] * (words_each - 2)) + " slut." for i in range(count)]


def test_empty_or_blank_text_gives_no_chunks():
    assert chunk_text("") == []
    assert chunk_text("  \n\n \t ") == []


def test_short_text_is_one_chunk_with_whitespace_tidied():
    assert chunk_text("  Hej   världen.\nEn rad till.  ") == ["Hej världen. En rad till."]


def test_text_of_exactly_max_words_is_one_chunk():
    text = " ".join(["ord"] * 180)

    assert len(chunk_text(text)) == 1


def test_no_chunk_exceeds_max_words():
    text = " ".join(_sentences(40, 13))

    chunks = chunk_text(text, max_words=50, overlap=10)

    assert len(chunks) > 1
    assert all(len(chunk.split()) <= 50 for chunk in chunks)


def test_chunks_together_cover_every_word_in_order():
    words = [f"w{i}" for i in range(1000)]

    chunks = chunk_text(" ".join(words), max_words=100, overlap=20)

    seen = []
    for chunk in chunks:
        for word in chunk.split():
            if not seen or int(word[1:]) > int(seen[-1][1:]):
                seen.append(word)
    assert seen == words


def test_consecutive_chunks_overlap_by_the_overlap_words_without_boundaries():
    words = [f"w{i}" for i in range(300)]

    chunks = chunk_text(" ".join(words), max_words=100, overlap=20)

    assert chunks[0].split() == words[:100]
    assert chunks[1].split()[:20] == words[80:100]


def test_chunks_end_at_sentence_ends_when_one_is_in_reach():
    text = " ".join(_sentences(30, 12))

    chunks = chunk_text(text, max_words=50, overlap=10)

    assert all(chunk.endswith("slut.") for chunk in chunks)


def test_a_paragraph_break_is_preferred_over_a_later_sentence_end():
    first = " ".join(_sentences(3, 12, "A"))  # 36 words
    second = " ".join(_sentences(10, 12, "B"))

    chunks = chunk_text(f"{first}\n\n{second}", max_words=50, overlap=10)

    assert chunks[0] == first


def test_the_next_chunk_starts_at_a_sentence_start_inside_the_overlap():
    text = " ".join(_sentences(30, 12))

    chunks = chunk_text(text, max_words=50, overlap=16)

    # With 12-word sentences a sentence start always lies within the first half of the overlap.
    assert all(chunk.split()[0].startswith("S") for chunk in chunks)


def test_abbreviations_followed_by_lower_case_do_not_end_a_sentence():
    text = "Vi läser. Sedan skriver vi t.ex. dikter idag och imorgon."

    chunks = chunk_text(text, max_words=8, overlap=0)

    # Had "t.ex." counted as a sentence end, the first chunk would stop right after it.
    assert chunks[0] == "Vi läser. Sedan skriver vi t.ex. dikter idag"


def test_paragraphs_are_kept_apart_by_a_blank_line():
    text = "Första stycket.\n\n\nAndra   stycket."

    assert chunk_text(text) == ["Första stycket.\n\nAndra stycket."]


def test_overlap_must_be_smaller_than_max_words():
    with pytest.raises(ValueError):
        chunk_text("ord ord", max_words=10, overlap=10)
