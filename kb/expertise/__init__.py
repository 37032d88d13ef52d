"""Expertise read from evidence: who knows about X, mentors for newcomers, knowledge risk."""
