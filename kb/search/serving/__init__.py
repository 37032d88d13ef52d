"""Serving the indexes to a running server: snapshots, the indexer process, the noise floor."""
