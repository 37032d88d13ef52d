"""Keeping the knowledge base alive: owners and review dates, search gaps, material requests."""
