"""The federation's metadata aggregate: fetched, its signature checked, cached, refreshed."""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from defusedxml import ElementTree as SafeXml

from kb.sso.settings import SamlSettings

log = logging.getLogger(__name__)
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
MDUI = "urn:oasis:names:tc:SAML:metadata:ui"
CACHE = "sso/federation.xml"
# SHA-1 signatures can be forged by collision: Skolfederation signs with SHA-256 and so must IdPs.
WEAK = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#sha1",
}


def weak_algorithms(root) -> list[str]:
    """Return the SHA-1 signature or digest methods used anywhere in a parsed document."""
    found = []
    for tag in ("SignatureMethod", "DigestMethod"):
        found += [e.get("Algorithm", "") for e in root.iter(f"{{{DS}}}{tag}")]
    return sorted({a for a in found if a in WEAK})


class MetadataError(ValueError):
    """The federation metadata cannot be trusted or read; the message says why."""


@dataclass(frozen=True)
class IdentityProvider:
    """One organisation's log-in in the federation, as the discovery page lists it."""

    entity_id: str
    name: str


def xmlsec1() -> str:
    """Return the path of xmlsec1 (pysaml2 runs it); raise MetadataError when it is missing."""
    found = shutil.which("xmlsec1")
    if not found:
        raise MetadataError("xmlsec1 is not installed (apt-get install xmlsec1)")
    return found


def fetch(saml: SamlSettings) -> bytes:
    """Return the aggregate as published (file or URL), not yet checked."""
    if saml.metadata_file:
        try:
            return Path(saml.metadata_file).read_bytes()
        except OSError as exc:
            raise MetadataError(f"metadata_file {saml.metadata_file}: {exc.strerror}") from None
    if not saml.metadata_url:
        raise MetadataError("neither metadata_url nor metadata_file is set")
    import requests

    try:
        answer = requests.get(saml.metadata_url, timeout=30)
        answer.raise_for_status()
    except requests.RequestException as exc:
        raise MetadataError(f"metadata_url {saml.metadata_url}: {exc}") from None
    return answer.content


def _check_root(xml: bytes):
    try:
        root = SafeXml.fromstring(xml)
    except Exception as exc:  # defusedxml raises several kinds; every one means "unreadable"
        raise MetadataError(f"metadata is not readable XML: {exc}") from None
    if root.tag != f"{{{MD}}}EntitiesDescriptor":
        raise MetadataError("metadata is not an EntitiesDescriptor aggregate")
    signature = root.find(f"{{{DS}}}Signature")
    if signature is None:
        raise MetadataError("metadata is not signed")
    reference = signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    uri = reference.get("URI", "") if reference is not None else None
    # The signature must cover the whole aggregate, not some element inside it (wrapping).
    if uri not in ("", f"#{root.get('ID', '')}"):
        raise MetadataError("metadata signature does not cover the aggregate")
    if weak_algorithms(root):
        raise MetadataError(f"metadata is signed with SHA-1 ({', '.join(weak_algorithms(root))})")
    valid_until = root.get("validUntil")
    if valid_until:
        until = datetime.fromisoformat(valid_until.replace("Z", "+00:00"))
        if until < datetime.now(UTC):
            raise MetadataError(f"metadata expired on {valid_until}")
    return root


def verify(xml: bytes, cert_file: str) -> None:
    """Raise MetadataError unless the aggregate is signed, by the configured cert, and current."""
    from saml2.sigver import CryptoBackendXmlSec1, SignatureError, XmlsecError

    if not cert_file or not Path(cert_file).exists():
        raise MetadataError(f"metadata_cert {cert_file or '(not set)'} does not exist")
    root = _check_root(xml)
    backend = CryptoBackendXmlSec1(xmlsec1())
    try:
        ok = backend.validate_signature(
            xml, cert_file, "pem", f"{MD}:EntitiesDescriptor", root.get("ID")
        )
    except (SignatureError, XmlsecError) as exc:
        raise MetadataError(f"metadata signature is not valid: {exc}") from None
    if not ok:
        raise MetadataError("metadata signature is not valid")


def load(saml: SamlSettings, instance_path, refresh: bool = False) -> str:
    """Return the checked aggregate: the cached copy while fresh, else fetched and checked anew.

    A failed refresh keeps the last good copy (and says so in the log) until it expires.
    """
    cache = Path(instance_path) / CACHE
    age = time.time() - cache.stat().st_mtime if cache.exists() else None
    if not refresh and age is not None and age < saml.refresh_hours * 3600:
        return cache.read_text(encoding="utf-8")
    try:
        xml = fetch(saml)
        verify(xml, saml.metadata_cert)
    except MetadataError as exc:
        if cache.exists():
            try:
                _check_root(cache.read_bytes())
            except MetadataError:
                raise exc from None
            log.warning("federation metadata not refreshed, the last good copy stays: %s", exc)
            return cache.read_text(encoding="utf-8")
        raise
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(xml)
    return xml.decode("utf-8")


def identity_providers(xml: str) -> list[IdentityProvider]:
    """Return the organisations that have an IdP in the aggregate, sorted by name."""
    root = SafeXml.fromstring(xml.encode("utf-8"))
    found = []
    for entity in root.iter(f"{{{MD}}}EntityDescriptor"):
        idp = entity.find(f"{{{MD}}}IDPSSODescriptor")
        if idp is None:
            continue
        names = [e.text for e in idp.iter(f"{{{MDUI}}}DisplayName") if e.text]
        names += [e.text for e in entity.iter(f"{{{MD}}}OrganizationDisplayName") if e.text]
        entity_id = entity.get("entityID", "")
        found.append(IdentityProvider(entity_id, (names[0] if names else entity_id).strip()))
    return sorted(found, key=lambda p: p.name.casefold())
