"""Searching material and reflections: `/`, `/api/search`, `kb search`."""
