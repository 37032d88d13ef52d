"""Sources kb syncs material from (Nextcloud and any WebDAV server today).

A source lists what it holds and hands over a file's bytes (base.Source); the sync
(sync.py) turns changed files into records with the bundle reader's own pipeline and writes
them only through the store. A change feed (Google Drive, OneDrive) fits the same protocol:
`listing` then answers from the feed instead of walking folders.
"""
