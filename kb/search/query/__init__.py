"""Answering a question: understanding it, the legs' fusion, the cut-off, snippets and facets."""
