"""Owners and review dates: `/review` ("Mitt att granska"), `/api/review`, `kb review`."""
