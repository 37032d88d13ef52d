"""The `kb sso` commands."""

from __future__ import annotations

import click

from kb.commandline import Context, pass_ctx


@click.group()
def sso() -> None:
    """Single sign-on (OIDC, SAML federation)."""


@sso.command("check")
@pass_ctx
def check_command(ctx: Context) -> None:
    """Read the [sso] configuration and the metadata; say what is wrong, one line each."""
    from kb.sso.check import check

    lines = check(ctx.instance)
    for fine, line in lines:
        click.echo(f"{'ok' if fine else 'PROBLEM'}: {line}")
    if not all(fine for fine, _line in lines):
        raise SystemExit(1)


@sso.command("refresh")
@pass_ctx
def refresh_command(ctx: Context) -> None:
    """Fetch the federation metadata now and check its signature (for cron; kb also refreshes
    it after refresh_hours)."""
    from kb.config import ConfigError
    from kb.sso import metadata
    from kb.sso.settings import load

    try:
        saml = load(ctx.instance).saml
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if saml is None:
        raise click.ClickException("no [sso.saml] in kb.toml")
    try:
        xml = metadata.load(saml, ctx.instance, refresh=True)
    except metadata.MetadataError as exc:
        raise click.ClickException(f"federation metadata: {exc}") from None
    found = metadata.identity_providers(xml)
    click.echo(f"federation metadata: {len(found)} identity providers")
