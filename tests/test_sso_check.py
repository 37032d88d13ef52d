"""`kb sso check` reads the configuration and the metadata and says what is wrong."""

from __future__ import annotations

import pytest

from tests.oidc_provider import running_provider
from tests.saml_idp import federation_metadata, idp_config, needs_xmlsec1, write_pair


@pytest.fixture
def instance(tmp_path):
    folder = tmp_path / "cli-instance"
    folder.mkdir()
    return folder


def write_toml(folder, text: str) -> None:
    (folder / "kb.toml").write_text(text, encoding="utf-8")


def test_without_sso_it_says_single_sign_on_is_off(cli, instance):
    result = cli("sso", "check")
    assert result.exit_code == 0 and "single sign-on is off" in result.output


def test_a_missing_client_secret_and_a_good_discovery_are_each_one_line(cli, instance, monkeypatch):
    with running_provider() as provider:
        write_toml(
            instance,
            f"""
[sso.oidc.school]
discovery_url = "{provider.url}/.well-known/openid-configuration"
client_id = "kb"
client_secret_env = "KB_CHECK_SECRET"
""",
        )
        monkeypatch.delenv("KB_CHECK_SECRET", raising=False)
        result = cli("sso", "check")
        assert result.exit_code == 1
        assert "PROBLEM: oidc school: no client secret" in result.output
        assert f"ok: oidc school: discovery answers, issuer {provider.url}" in result.output
        monkeypatch.setenv("KB_CHECK_SECRET", "s3cret")
        assert cli("sso", "check").exit_code == 0


def test_a_secret_written_into_kb_toml_is_refused(cli, instance):
    write_toml(
        instance, '[sso.oidc.g]\ndiscovery_url = "x"\nclient_id = "a"\nclient_secret = "b"\n'
    )
    result = cli("sso", "check")
    assert result.exit_code == 1 and "client_secret must come from" in result.output


@needs_xmlsec1
def test_federation_metadata_signed_by_someone_else_is_a_problem(cli, instance, tmp_path):
    fed, idp, rogue = (write_pair(tmp_path, n) for n in ("fed", "idp", "rogue"))
    conf = idp_config("https://idp.example.se/idp", "https://idp.example.se/sso", *idp, "Skola")
    good = federation_metadata(tmp_path, [conf], fed)
    write_toml(instance, f'[sso.saml]\nmetadata_file = "{good}"\nmetadata_cert = "{fed[1]}"\n')
    result = cli("sso", "check")
    assert "ok: saml: metadata signature good, 1 identity providers" in result.output
    forged_dir = tmp_path / "forged"
    forged_dir.mkdir()
    forged = federation_metadata(forged_dir, [conf], rogue)
    write_toml(instance, f'[sso.saml]\nmetadata_file = "{forged}"\nmetadata_cert = "{fed[1]}"\n')
    result = cli("sso", "check")
    assert result.exit_code == 1
    assert "PROBLEM: saml: metadata signature is not valid" in result.output


@needs_xmlsec1
def test_passwords_off_without_a_break_glass_admin_is_a_problem(cli, instance, tmp_path):
    fed, idp = (write_pair(tmp_path, n) for n in ("fed", "idp"))
    conf = idp_config("https://idp.example.se/idp", "https://idp.example.se/sso", *idp, "Skola")
    good = federation_metadata(tmp_path, [conf], fed)
    write_toml(
        instance,
        "[sso]\nlocal_passwords = false\n"
        f'[sso.saml]\nmetadata_file = "{good}"\nmetadata_cert = "{fed[1]}"\n',
    )
    result = cli("sso", "check")
    assert "PROBLEM: passwords are off and no break_glass admin is named" in result.output


@needs_xmlsec1
def test_kb_sso_refresh_fetches_and_checks_the_metadata_now(cli, instance, tmp_path):
    fed, idp = (write_pair(tmp_path, n) for n in ("fed", "idp"))
    conf = idp_config("https://idp.example.se/idp", "https://idp.example.se/sso", *idp, "Skola")
    good = federation_metadata(tmp_path, [conf], fed)
    write_toml(instance, f'[sso.saml]\nmetadata_file = "{good}"\nmetadata_cert = "{fed[1]}"\n')
    result = cli("sso", "refresh")
    assert result.exit_code == 0 and "1 identity providers" in result.output
    assert (instance / "sso" / "federation.xml").read_bytes() == good.read_bytes()


def test_a_shared_entra_discovery_url_is_a_problem(cli, instance, monkeypatch):
    monkeypatch.setenv("KB_CHECK_SECRET", "s3cret")
    with running_provider() as provider:
        url = f"{provider.url}/common/v2.0/.well-known/openid-configuration"
        write_toml(
            instance,
            f'[sso.oidc.entra]\ndiscovery_url = "{url}"\nclient_id = "kb"\n'
            'client_secret_env = "KB_CHECK_SECRET"\n',
        )
        result = cli("sso", "check")
    assert "PROBLEM: oidc entra: use the tenant's own discovery URL" in result.output
