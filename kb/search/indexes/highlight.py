"""A question's words marked in a hit's text, analysed as the index analyses them (either engine)."""

from __future__ import annotations

import hashlib

from kb.search.indexes.keywords import analysed_terms
from kb.search.model.memo import Memo
from kb.text import snippets

SNIPPET_CACHE = 1024
# Sentences remembered with their analysed words: a sentence's words do not depend on the
# question, and the documents that come up are read again and again (~1.5 KB a sentence).
SENTENCE_CACHE = 8192


class Highlighter:
    """Make snippets with the question's words in <mark>, remembering recent work."""

    def __init__(self, analyzer) -> None:
        self.analyzer = analyzer  # the body field's: stemmed and decompounded, with characters
        self._snippets = Memo(SNIPPET_CACHE)
        self._sentences = Memo(SENTENCE_CACHE)

    def snippet(self, query_text: str, document_text: str, max_chars: int = 300) -> str | None:
        """Return an HTML-escaped snippet of document_text with the query's words in <mark>.

        The last few are remembered by query and text digest: a popular question's hits
        are highlighted once, not at every search.
        """
        key = (query_text, max_chars, hashlib.blake2b(document_text.encode()).digest())
        return self._snippets.get(
            key, lambda: self._highlight(query_text, document_text, max_chars)
        )

    def _highlight(self, query_text: str, document_text: str, max_chars: int) -> str | None:
        if not document_text:
            return None
        terms = analysed_terms(self.analyzer, query_text)
        return snippets.highlight(document_text, terms, self._tokens, max_chars)

    def _tokens(self, text: str) -> tuple:
        return self._sentences.get(text, lambda: self._analysed(text))

    def _analysed(self, text: str) -> tuple:
        return tuple(
            (t.text, t.startchar, t.endchar)
            for t in self.analyzer(text, chars=True, mode="index", removestops=True)
            if not t.stopped
        )
