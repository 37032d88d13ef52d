"""A real SAML 2.0 identity provider for tests: pysaml2's own Server, signing with test keys.

The federation (its signing key, its metadata aggregate) is made here too, the way
Skolfederation publishes one: every IdP's EntityDescriptor in one EntitiesDescriptor, signed.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from saml2 import BINDING_HTTP_REDIRECT, saml, samlp
from saml2.config import Config, IdPConfig
from saml2.metadata import entities_descriptor, entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT
from saml2.server import Server
from saml2.sigver import pre_signature_part, security_context
from saml2.xmldsig import DIGEST_SHA1, DIGEST_SHA256, SIG_RSA_SHA1, SIG_RSA_SHA256

from kb.sso.metadata import xmlsec1
from kb.sso.saml import self_signed

# Like the browser specs without Chromium: say plainly what is missing (./test installs it as root).
needs_xmlsec1 = pytest.mark.skipif(
    shutil.which("xmlsec1") is None, reason="xmlsec1 is missing: apt-get install xmlsec1"
)
PASSWORD_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


def write_pair(folder: Path, name: str) -> tuple[str, str]:
    """Make a key and a self-signed certificate in folder; return their paths."""
    key, cert = self_signed(name)
    (folder / f"{name}.key").write_bytes(key)
    (folder / f"{name}.crt").write_bytes(cert)
    return str(folder / f"{name}.key"), str(folder / f"{name}.crt")


def idp_config(
    entity_id: str, sso_url: str, key: str, cert: str, name: str, sp_xml: str = "", sha1=False
):
    """Return pysaml2's configuration of a test IdP (signing with SHA-256 unless told)."""
    conf = IdPConfig()
    conf.load(
        {
            "entityid": entity_id,
            "signing_algorithm": SIG_RSA_SHA1 if sha1 else SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA1 if sha1 else DIGEST_SHA256,
            "xmlsec_binary": xmlsec1(),
            "key_file": key,
            "cert_file": cert,
            "metadata": {"inline": [sp_xml]} if sp_xml else {},
            "organization": {
                "display_name": [(name, "sv")],
                "name": [(name, "sv")],
                "url": [sso_url],
            },
            "service": {
                "idp": {
                    "name": name,
                    "endpoints": {
                        "single_sign_on_service": [(sso_url, BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(f"{sso_url}/logout", BINDING_HTTP_REDIRECT)],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 15},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                }
            },
        }
    )
    return conf


def federation_metadata(
    folder: Path, idp_confs: list, sign_with: tuple[str, str], sha1: bool = False
) -> Path:
    """Write the federation's aggregate of the IdPs, signed with the federation's key."""
    signer = Config()
    signer.key_file, signer.cert_file = sign_with
    signer.xmlsec_binary = xmlsec1()
    eds = [entity_descriptor(conf) for conf in idp_confs]
    _entities, xml = entities_descriptor(
        eds,
        24,
        "https://fed.example.se",
        "fed-aggregate",
        True,
        security_context(signer),
        sign_alg=SIG_RSA_SHA1 if sha1 else SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA1 if sha1 else DIGEST_SHA256,
    )
    path = folder / "federation.xml"
    path.write_text(xml, encoding="utf-8")
    return path


class TestIdP:
    """One organisation's IdP: answers kb's AuthnRequest with a signed assertion."""

    __test__ = False  # a helper, not a test class

    def __init__(self, conf) -> None:
        self.server = Server(config=conf)
        self.entity_id = conf.entityid

    def answer(self, location: str, identity: dict, sign: bool = True) -> tuple[str, str]:
        """Return (SAMLResponse xml, RelayState) answering the request in kb's redirect."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        request = self.server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        args = self.server.response_args(request.message)
        args.pop("binding", None)
        eppn = identity["eduPersonPrincipalName"][0]
        response = self.server.create_authn_response(
            identity,
            userid=eppn,
            authn={"class_ref": PASSWORD_CLASS, "authn_auth": self.entity_id},
            sign_assertion=sign,
            sign_alg=self.server.config.signing_algorithm,
            digest_alg=self.server.config.digest_algorithm,
            **args,
        )
        self.name_id = samlp.response_from_string(str(response)).assertion[0].subject.name_id
        self.sp_entity_id = args["sp_entity_id"]
        return str(response), query.get("RelayState", "")

    def ask_logout(self, sls_url: str) -> str:
        """Return the address that carries the IdP's own LogoutRequest for the last user to kb."""
        _id, asked = self.server.create_logout_request(
            sls_url, self.sp_entity_id, name_id=self.name_id, sign=False
        )
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT, str(asked), sls_url, "relay", sign=True, sigalg=SIG_RSA_SHA256
        )
        return dict(info["headers"])["Location"]

    def end_session(self, location: str) -> str:
        """Answer kb's LogoutRequest (in its redirect); return where the IdP sends the browser."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        request = self.server.parse_logout_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        self.logged_out = request.message.name_id.text
        response = self.server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT, str(response), response.destination, "", response=True
        )
        return dict(info["headers"])["Location"]

    def resign(self, xml: str, change) -> str:
        """Change an unsigned response's assertion (change(assertion)) and sign it properly."""
        response = samlp.response_from_string(xml)
        assertion = (
            response.assertion[0] if isinstance(response.assertion, list) else response.assertion
        )
        change(assertion)
        assertion.signature = pre_signature_part(
            assertion.id, self.server.sec.my_cert, 1, DIGEST_SHA256, SIG_RSA_SHA256
        )
        return self.server.sec.sign_statement(
            str(response), class_name(saml.Assertion), node_id=assertion.id
        )


def class_name(cls) -> str:
    return f"{cls.c_namespace}:{cls.c_tag}"


def post_binding(xml: str) -> str:
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")
