"""Text utilities ingest, search and the pages share: front matter, Markdown and HTML,
chunking, language guessing and slugs. Light on purpose: the file-reading sandbox imports it.
"""
