"""Colleagues: the directory `/people`, profiles and editing one's own."""
