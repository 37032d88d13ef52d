"""What a person reads when a single sign-on is refused: why, in words, never a trace."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from kb.sso.identity import refused

bp = Blueprint("sso", __name__, url_prefix="/sso")

MESSAGES = {
    "not_connected": _l("Din organisation är inte ansluten till kb."),
    "domain_not_allowed": _l(
        "Din organisation är inte ansluten till kb. Logga in med ditt konto från skolan."
    ),
    "unknown_person": _l(
        "Du finns inte bland kollegerna i kb än. Be samordnaren att lägga till dig."
    ),
    "left": _l("Ditt konto i kb är avslutat."),
    "invalid": _l(
        "Inloggningen kunde inte kontrolleras: svaret från din organisation var inte giltigt "
        "eller för gammalt. Försök igen."
    ),
    "replayed": _l("Det här inloggningssvaret har redan använts. Logga in igen."),
    "state": _l("Inloggningen avbröts eller tog för lång tid. Försök igen."),
    "email_not_verified": _l("Din e-postadress är inte bekräftad hos din organisation."),
    "missing_attributes": _l(
        "Din organisation skickade inte de uppgifter kb behöver (e-post eller "
        "eduPersonPrincipalName). Kontakta din IT-avdelning."
    ),
    "provider_error": _l("Din organisations inloggning svarar inte just nu. Försök igen senare."),
    "unknown_provider": _l("Det inloggningssättet finns inte i kb."),
}
STATUS = {"provider_error": 502, "unknown_provider": 404, "not_connected": 403}


def refusal(how: str, provider: str, reason: str, detail: str = ""):
    """Write the audit line and return the error page of a refused log-in."""
    refused(provider, how, reason, detail)
    message = MESSAGES.get(reason, MESSAGES["invalid"])
    return render_template("sso_error.html", message=message, reason=reason), STATUS.get(
        reason, 403
    )
