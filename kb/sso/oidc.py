"""Map a checked OpenID Connect ID token to who logs in: domain, e-mail, unit and role."""

from __future__ import annotations

from kb.sso.identity import Claims, SignInRefused
from kb.sso.settings import OidcProvider


def _domain_ok(provider: OidcProvider, token: dict) -> None:
    if not provider.allowed_domains:
        return
    # Google's `hd` claim in the signed token, never the `hd` request parameter: a personal
    # account has no hd at all, and anyone can change a request parameter.
    hd = str(token.get("hd") or "").lower()
    if hd not in {d.lower() for d in provider.allowed_domains}:
        raise SignInRefused("domain_not_allowed", hd or "(no hd claim)")


def _has_overage(token: dict) -> bool:
    names = token.get("_claim_names")
    return isinstance(names, dict) and "groups" in names or bool(token.get("hasgroups"))


def coordinator_role(provider: OidcProvider, token: dict) -> tuple[bool | None, str]:
    """Say whether the token makes a coordinator (None: it cannot say) and how it was decided."""
    roles = {str(r) for r in token.get("roles") or []}
    if provider.coordinator_roles and roles & set(provider.coordinator_roles):
        return True, "app role " + ",".join(sorted(roles & set(provider.coordinator_roles)))
    if provider.coordinator_groups:
        if _has_overage(token) and "groups" not in token:
            # Entra sends no groups when a user is in too many (group overage). Deciding "no"
            # would silently take the role away: keep it as it was and say so in the audit.
            return None, "group overage: groups not in the token, role not re-synced"
        groups = {str(g) for g in token.get("groups") or []}
        if groups & set(provider.coordinator_groups):
            return True, "group " + ",".join(sorted(groups & set(provider.coordinator_groups)))
    if not (provider.coordinator_roles or provider.coordinator_groups):
        return False, "no role mapping configured"
    return False, "no coordinator role or group"


def claims_from_token(provider: OidcProvider, token: dict) -> Claims:
    """Return who a checked ID token names; raise SignInRefused when kb must not let them in."""
    _domain_ok(provider, token)
    if token.get("email_verified") is False and provider.link_claim == "email":
        raise SignInRefused("email_not_verified", str(token.get("email") or ""))
    coordinator, mapping = coordinator_role(provider, token)
    unit = str(token.get(provider.unit_claim) or "") if provider.unit_claim else ""
    return Claims(
        how="oidc",
        provider=provider.name,
        subject=str(token.get("sub") or ""),
        link=str(token.get(provider.link_claim) or ""),
        name=str(token.get("name") or ""),
        unit=unit or None,
        coordinator=coordinator,
        mapping=mapping,
    )
