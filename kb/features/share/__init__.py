"""Sharing material: the form `/share`."""
