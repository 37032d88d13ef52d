"""`kb user …`: passwords, invitation links and coordinators, from the command line."""

from __future__ import annotations

import click

from kb import accounts


@click.group()
def user() -> None:
    """Manage colleagues' log-in: passwords, invitations, coordinators."""


@user.command("set-password")
@click.argument("person_id")
@click.password_option(
    "--password", prompt="New password", help="The new password (asked for when not given)."
)
@click.pass_context
def set_password(ctx: click.Context, person_id: str, password: str) -> None:
    """Set a colleague's password; every session they had ends."""
    accounts.set_password(ctx.obj.kb, person_id, password)
    click.echo(f"password set for {person_id}; their other sessions have ended")


@user.command("invite")
@click.argument("person_id")
@click.option(
    "--base-url",
    default="http://127.0.0.1:5000",
    show_default=True,
    envvar="KB_BASE_URL",
    help="Where colleagues reach kb.",
)
@click.pass_context
def invite(ctx: click.Context, person_id: str, base_url: str) -> None:
    """Print a first-log-in link (valid 7 days) where the colleague chooses a password."""
    kb = ctx.obj.kb
    token = accounts.make_invitation(kb, person_id, accounts.instance_secret(kb.settings))
    click.echo(
        f"invitation for {person_id} (valid {accounts.INVITATION_DAYS} days, "
        "until they choose a password):"
    )
    click.echo(f"{base_url.rstrip('/')}/welcome/{token}")


@user.command("coordinator")
@click.argument("person_id")
@click.option("--off", is_flag=True, help="Take the coordinator role away.")
@click.pass_context
def coordinator(ctx: click.Context, person_id: str, off: bool) -> None:
    """Make a colleague a coordinator (sees the mentor matching of all newcomers)."""
    found = accounts.set_coordinator(ctx.obj.kb, person_id, not off)
    if off and found.is_coordinator:
        # Only the hand-given role is kb's to take; the IdP's goes at a log-in without it.
        click.echo(f"{person_id} keeps the coordinator role the identity provider gives")
        return
    click.echo(f"{person_id} is {'no longer ' if off else ''}a coordinator")
