"""Mentors for newcomers: `/newcomers`, `/newcomers/matching`, `/api/mentors`, `kb mentors`."""
