"""Marking message ids in the core for translation; the pages translate them (kb.web.i18n)."""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 (the gettext marker's usual name)
    """Mark a message id for translation without translating it here."""
    return message


def Np_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802
    """Mark a message id that counts `num` (singular and plural) for translation."""
    return singular, plural
