"""`kb sso check`: read the single sign-on configuration and metadata, say what is wrong."""

from __future__ import annotations

from pathlib import Path

from kb.config import ConfigError
from kb.sso import metadata
from kb.sso import settings as sso_settings
from kb.sso.settings import OidcProvider, SamlSettings


def _oidc(provider: OidcProvider) -> list[tuple[bool, str]]:
    import requests

    where = f"oidc {provider.name}"
    lines = []
    try:
        secret = provider.client_secret()
    except OSError as exc:
        secret = ""
        lines.append((False, f"{where}: client_secret_file cannot be read: {exc.strerror}"))
    if not secret and not lines:
        lines.append((False, f"{where}: no client secret (set client_secret_env or _file)"))
    if any(f"/{t}/" in provider.discovery_url for t in ("common", "organizations", "consumers")):
        # Any Entra tenant's admin could then name a user with a colleague's e-mail.
        lines.append((False, f"{where}: use the tenant's own discovery URL, not a shared one"))
    try:
        answer = requests.get(provider.discovery_url, timeout=10)
        answer.raise_for_status()
        found = answer.json()
    except (requests.RequestException, ValueError) as exc:
        return [*lines, (False, f"{where}: discovery {provider.discovery_url}: {exc}")]
    for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not found.get(key):
            lines.append((False, f"{where}: discovery document has no {key}"))
    if "accounts.google.com" in str(found.get("issuer")) and not provider.allowed_domains:
        lines.append((False, f"{where}: any Google account could log in: set allowed_domains"))
    if not (provider.coordinator_roles or provider.coordinator_groups):
        lines.append((True, f"{where}: no coordinator role comes from this provider"))
    lines.append((True, f"{where}: discovery answers, issuer {found.get('issuer')}"))
    return lines


def _saml(saml: SamlSettings, instance_path) -> list[tuple[bool, str]]:
    lines = []
    try:
        metadata.xmlsec1()
    except metadata.MetadataError as exc:
        return [(False, f"saml: {exc}")]
    try:
        # The published aggregate itself, never the last good copy kb would fall back to.
        raw = metadata.fetch(saml)
        metadata.verify(raw, saml.metadata_cert)
    except metadata.MetadataError as exc:
        return [(False, f"saml: {exc}")]
    idps = metadata.identity_providers(raw.decode("utf-8"))
    lines.append((bool(idps), f"saml: metadata signature good, {len(idps)} identity providers"))
    for path, what in ((saml.sp_key, "sp_key"), (saml.sp_cert, "sp_cert")):
        if path and not Path(path).exists():
            lines.append((False, f"saml: {what} {path} does not exist"))
    if bool(saml.sp_key) != bool(saml.sp_cert):
        lines.append((False, "saml: set both sp_key and sp_cert (or neither: kb makes its own)"))
    if not saml.coordinator_values:
        lines.append((True, "saml: no coordinator role comes from the federation"))
    return lines


def check(instance_path) -> list[tuple[bool, str]]:
    """Return (fine, line) for each thing checked; a False line is something to fix."""
    try:
        found = sso_settings.load(instance_path)
    except ConfigError as exc:
        return [(False, str(exc))]
    if not found.enabled:
        return [(True, "single sign-on is off: no [sso.oidc.*] or [sso.saml] in kb.toml")]
    lines = []
    for provider in found.oidc:
        lines += _oidc(provider)
    if found.saml is not None:
        lines += _saml(found.saml, instance_path)
    if not found.local_passwords and not found.break_glass:
        lines.append((False, "passwords are off and no break_glass admin is named"))
    return lines
