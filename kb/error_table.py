"""What the exception types of kb's parts mean in the one family of refusals (kb/errors.py).

They were raised before the family, each with its own `code`; this table is the one place
that says which is "not found", "forbidden" or "bad request". The web app (kb/app.py) and
the command line (kb/cli.py) both read it, so a page, the API and a command refuse alike.
"""

from __future__ import annotations

from kb.accounts import NotCoordinator, WeakPassword
from kb.errors import Forbidden, Invalid, NotFound, Table, by_code
from kb.features.documents.queries import CannotDelete
from kb.features.edit.queries import CannotChange
from kb.features.review.queries import CannotReview
from kb.ingest.export import ExportError
from kb.ingest.submit import Refused
from kb.service import UnknownPerson
from kb.upkeep.asks import RequestError

KNOWN: Table = {
    # Raised with the id that was asked for.
    UnknownPerson: lambda exc: NotFound(f"no person with id {exc.args[0]!r}"),
    # The API says only that; a command adds who asked (kb/features/risk/commands.py).
    NotCoordinator: lambda exc: Forbidden(),
    # A version that is no more, or a delete past undoing, is as gone as a missing document.
    CannotChange: by_code(Forbidden, missing=NotFound, number=NotFound, expired=NotFound),
    CannotDelete: by_code(Forbidden, missing=NotFound),
    CannotReview: by_code(
        Forbidden, missing=NotFound, unknown_person=Invalid, cannot_open=Invalid, too_many=Invalid
    ),
    RequestError: by_code(Invalid, missing=NotFound),
    Refused: by_code(Invalid),
    WeakPassword: lambda exc: Invalid(f"the password is too weak: {exc}"),
    ExportError: lambda exc: Invalid(str(exc)),
}
