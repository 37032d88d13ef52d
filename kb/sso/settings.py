"""The [sso] section of kb.toml: providers, role mapping, whether passwords still work."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kb.config import CONFIG_FILE, ConfigError, read_config_file


@dataclass(frozen=True)
class OidcProvider:
    """One OpenID Connect provider (Google Workspace, Microsoft Entra ID, ...)."""

    name: str
    discovery_url: str
    client_id: str
    label: str = ""
    # The secret comes from the environment or a file, never from kb.toml or the database.
    client_secret_env: str = ""
    client_secret_file: str = ""
    scope: str = "openid email profile"
    # Google: the ID token's `hd` claim must be one of these (empty: any domain).
    allowed_domains: tuple[str, ...] = ()
    # Entra: app roles (the `roles` claim) or group ids (`groups`) that make a coordinator.
    coordinator_roles: tuple[str, ...] = ()
    coordinator_groups: tuple[str, ...] = ()
    link_claim: str = "email"
    unit_claim: str = ""

    def client_secret(self) -> str:
        """Return the client secret from the environment or its file ("" when neither is set)."""
        if self.client_secret_env and os.environ.get(self.client_secret_env):
            return os.environ[self.client_secret_env]
        if self.client_secret_file:
            return Path(self.client_secret_file).read_text(encoding="utf-8").strip()
        return ""


@dataclass(frozen=True)
class SamlSettings:
    """kb as a SAML service provider in a federation (Skolfederation)."""

    metadata_url: str = ""
    metadata_file: str = ""
    metadata_cert: str = ""
    refresh_hours: int = 6
    entity_id: str = ""
    sp_key: str = ""
    sp_cert: str = ""
    link_attribute: str = "eduPersonPrincipalName"
    unit_attribute: str = "sisSchoolUnitCode"
    coordinator_attribute: str = "eduPersonEntitlement"
    coordinator_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class SsoSettings:
    """Every way in besides a password, and whether passwords remain."""

    oidc: tuple[OidcProvider, ...] = ()
    saml: SamlSettings | None = None
    local_passwords: bool = True
    break_glass: tuple[str, ...] = ()
    just_in_time: bool = False
    # A unit code from the IdP (sisSchoolUnitCode) to the unit name kb uses.
    units: dict[str, str] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.oidc or self.saml)

    def provider(self, name: str) -> OidcProvider | None:
        """Return the OIDC provider of that name, or None."""
        return next((p for p in self.oidc if p.name == name), None)

    def password_allowed(self, person_id: str) -> bool:
        """Tell whether this person may log in with a password."""
        return self.local_passwords or person_id in self.break_glass


def _strings(where: str, value) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of texts")
    return tuple(value)


def _build(cls, where: str, table: dict, **extra):
    known = set(cls.__dataclass_fields__)
    if "client_secret" in table:
        raise ConfigError(f"{where}: client_secret must come from client_secret_env or _file")
    values = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r}")
        default = cls.__dataclass_fields__[key].default
        values[key] = _strings(f"{where}.{key}", value) if isinstance(default, tuple) else value
    try:
        return cls(**values, **extra)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def parse(table: dict, where: str = "[sso]") -> SsoSettings:
    """Return the settings an [sso] table describes; raise ConfigError naming what is wrong."""
    table = dict(table)
    oidc = table.pop("oidc", {}) or {}
    saml = table.pop("saml", None)
    providers = tuple(
        _build(OidcProvider, f"{where}.oidc.{name}", dict(body), name=name)
        for name, body in oidc.items()
    )
    saml_settings = _build(SamlSettings, f"{where}.saml", dict(saml)) if saml else None
    return _build(SsoSettings, where, table, oidc=providers, saml=saml_settings)


def load(instance_path, override: dict | None = None) -> SsoSettings:
    """Read the [sso] section of the instance's kb.toml (or the given table)."""
    if override is not None:
        return parse(override)
    config_file = Path(instance_path) / CONFIG_FILE
    if not config_file.exists():
        return SsoSettings()
    return parse(read_config_file(config_file).get("sso", {}), f"{config_file}: [sso]")
