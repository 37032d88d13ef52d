"""Who knows about a question: `/experts`, `/api/experts`, `kb experts`."""
