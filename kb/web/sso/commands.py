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
