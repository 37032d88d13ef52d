"""One family for what kb refuses, said the same way on the API, the pages and the command line.

A refusal is one of three kinds: the thing is not found (or is not the asker's to see: the
two answer alike, so a hidden thing never shows), the asker may not do it, or what was sent
is wrong. kb/web/errors.py turns each into its HTTP status (JSON under /api, the error page
elsewhere) and kb/commandline.py into one line and exit status 1.

Code may raise these directly. The exception types kb's parts raised before there was a
family (each with its own `code`) are mapped to it in one table, kb/error_table.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar


class KbError(Exception):
    """A refusal: its message (in English, for the API and the command line) and reason code."""

    status: ClassVar[int] = 500
    error: ClassVar[str] = "error"  # the API's word for the kind

    def __init__(self, message: str = "", reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason

    def body(self) -> dict:
        """Return the API's JSON body: the kind's word, then the reason and message if any."""
        body = {"error": self.error}
        if self.reason:
            body["reason"] = self.reason
        if self.message:
            body["message"] = self.message
        return body


class NotFound(KbError):
    """Missing, or not the asker's to see; it names no reason, so both answer alike."""

    status = 404
    error = "not found"

    def __init__(self, message: str = "", reason: str | None = None) -> None:
        super().__init__(message, None)


class Forbidden(KbError):
    """The asker may see the thing but not do this to it."""

    status = 403
    error = "forbidden"


class Invalid(KbError):
    """What was sent cannot be used; the message (and the reason) says what to mend."""

    status = 400
    error = "bad request"


# What an exception type means in the family: a function of the exception.
Rule = Callable[[BaseException], KbError]
Table = Mapping[type, Rule]


def by_code(default: type[KbError], **kinds: type[KbError]) -> Rule:
    """Return a rule that picks the kind by the exception's `code` (else `default`) and keeps
    its message and code."""

    def rule(exc: BaseException) -> KbError:
        code = getattr(exc, "code", None)
        return kinds.get(code, default)(str(exc), code)

    return rule


def explain(exc: BaseException, table: Table) -> KbError | None:
    """Return what an exception means in the family, or None when it is no refusal (a fault)."""
    if isinstance(exc, KbError):
        return exc
    for kind in type(exc).__mro__:
        rule = table.get(kind)
        if rule is not None:
            return rule(exc)
    return None
