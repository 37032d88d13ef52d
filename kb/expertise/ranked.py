"""What every ranking of people returns first: who, and how strongly."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ranked:
    """A person in a ranking, with their score (higher is better)."""

    person_id: str
    name: str
    score: float
