"""kb as a SAML 2.0 service provider: its keys, its pysaml2 configuration, what a response says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import delete

from kb.models import UsedAssertion
from kb.service import KnowledgeBase
from kb.sso.identity import Claims, SignInRefused
from kb.sso.metadata import xmlsec1
from kb.sso.settings import SamlSettings, SsoSettings

# Attribute names as OIDs (urn:oid:...) besides the friendly names pysaml2 maps them to.
OIDS = {
    "eduPersonPrincipalName": "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
    "eduPersonEntitlement": "urn:oid:1.3.6.1.4.1.5923.1.1.1.7",
    "eduPersonAffiliation": "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",
    "eduPersonScopedAffiliation": "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
    "mail": "urn:oid:0.9.2342.19200300.100.1.3",
    "displayName": "urn:oid:2.16.840.1.113730.3.1.241",
    "sisSchoolUnitCode": "urn:oid:1.2.752.194.10.2.2",
}
SP_KEY, SP_CERT = "sso/sp-key.pem", "sso/sp-cert.pem"


def sp_keys(saml: SamlSettings, instance_path) -> tuple[str, str]:
    """Return kb's own key and certificate: configured, else made once in the instance folder."""
    if saml.sp_key and saml.sp_cert:
        return saml.sp_key, saml.sp_cert
    key_path, cert_path = Path(instance_path) / SP_KEY, Path(instance_path) / SP_CERT
    if not key_path.exists() or not cert_path.exists():
        key, cert = self_signed("kb service provider")
        key_path.parent.mkdir(parents=True, exist_ok=True)
        key_path.write_bytes(key)
        key_path.chmod(0o600)
        cert_path.write_bytes(cert)
    return str(key_path), str(cert_path)


def self_signed(name: str, years: int = 10) -> tuple[bytes, bytes]:
    """Return a new RSA key and a self-signed certificate for it, both PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem_key, cert.public_bytes(serialization.Encoding.PEM)


def sp_config(saml: SamlSettings, instance_path, base_url: str, metadata_xml: str):
    """Return pysaml2's configuration of kb as a service provider at base_url."""
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.config import SPConfig

    key, cert = sp_keys(saml, instance_path)
    base = base_url.rstrip("/")
    config = {
        "entityid": saml.entity_id or f"{base}/sso/saml/metadata",
        "xmlsec_binary": xmlsec1(),
        "key_file": key,
        "cert_file": cert,
        "allow_unknown_attributes": True,
        "accepted_time_diff": 60,
        "metadata": {"inline": [metadata_xml]},
        "service": {
            "sp": {
                "name": "kb",
                "endpoints": {
                    "assertion_consumer_service": [(f"{base}/sso/saml/acs", BINDING_HTTP_POST)],
                    "single_logout_service": [(f"{base}/sso/saml/sls", BINDING_HTTP_REDIRECT)],
                },
                "want_assertions_signed": True,
                "want_response_signed": False,
                "authn_requests_signed": True,
                "allow_unsolicited": False,
                # Only what kb uses (GDPR): who, their name, their school unit, their role.
                "required_attributes": [saml.link_attribute],
                "optional_attributes": sorted(
                    {"displayName", saml.unit_attribute, saml.coordinator_attribute}
                ),
            }
        },
    }
    found = SPConfig()
    found.load(config)
    return found


def _values(ava: dict, name: str) -> list[str]:
    for key in (name, OIDS.get(name, ""), name.lower()):
        if key and ava.get(key):
            return [str(v) for v in ava[key]]
    return []


def claims_from_ava(sso: SsoSettings, issuer: str, ava: dict) -> Claims:
    """Return who a checked assertion's attributes name; eppn keys the person."""
    saml = sso.saml
    eppn = next(iter(_values(ava, saml.link_attribute)), "")
    code = next(iter(_values(ava, saml.unit_attribute)), "")
    wanted = set(saml.coordinator_values)
    has = set(_values(ava, saml.coordinator_attribute)) & wanted
    name = next(iter(_values(ava, "displayName")), "")
    return Claims(
        how="saml",
        provider=issuer,
        subject=eppn,
        link=eppn,
        name=name,
        unit=sso.units.get(code, code) or None,
        coordinator=bool(has),
        mapping=f"{saml.coordinator_attribute}={','.join(sorted(has)) or 'none of ' + ','.join(sorted(wanted))}",
    )


def use_assertion(kb: KnowledgeBase, assertion_id: str, until: dt.datetime) -> None:
    """Record an assertion as used; raise SignInRefused("replayed") when it was used before."""
    from sqlalchemy.exc import IntegrityError

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with kb.db.write() as session:
        session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < now))
    try:
        with kb.db.write() as session:
            # The primary key makes two servers racing with one response agree: one wins.
            session.add(UsedAssertion(id=assertion_id[:200], expires_at=until))
            session.flush()
    except IntegrityError:
        raise SignInRefused("replayed", assertion_id) from None
