"""Requests for material: `/requests`, `/api/requests`, `kb requests`."""
