"""`kb versions`, `kb restore`, `kb undelete`, `kb purge`: the history of web documents."""

from __future__ import annotations

import click

from kb.commandline import Context, as_option, emit, json_option, pass_ctx
from kb.features.edit.queries import restore, undelete, versions


def _render_versions(d: dict) -> None:
    for v in d["versions"]:
        mark = " (current)" if v["current"] else ""
        by = f" by {v['by']}" if v["by"] else ""
        click.echo(f"{v['number']}. {v['action']} {v['at']:%Y-%m-%d %H:%M}{by}{mark}")


@click.command(name="versions")
@click.argument("source")
@as_option("Ask as this person (an author or a coordinator); everyone's when left out.")
@json_option
@pass_ctx
def versions_command(ctx: Context, source: str, person: str | None, as_json: bool) -> None:
    """List the versions of a document uploaded or written on the web, newest first."""
    emit(versions(ctx.kb, ctx.viewer(person), source), as_json, _render_versions)


@click.command(name="restore")
@click.argument("source")
@click.argument("version", type=int)
@as_option("Restore as this person (an author or a coordinator).")
@pass_ctx
def restore_command(ctx: Context, source: str, version: int, person: str | None) -> None:
    """Make an earlier version of a document the current one (kept as a new version)."""
    number = restore(ctx.kb, ctx.viewer(person), source, version)
    click.echo(f"restored {source} version {version} as version {number}")


@click.command(name="undelete")
@click.argument("source")
@as_option("Undelete as this person (an author or a coordinator).")
@pass_ctx
def undelete_command(ctx: Context, source: str, person: str | None) -> None:
    """Bring back a document deleted less than 30 days ago."""
    undelete(ctx.kb, ctx.viewer(person), source)
    click.echo(f"undeleted {source}")


@click.command(name="purge")
@pass_ctx
def purge_command(ctx: Context) -> None:
    """Forget for good the documents deleted more than 30 days ago."""
    gone = ctx.kb.documents.store.purge()
    for source in gone:
        click.echo(f"purged {source}")
    click.echo(f"{len(gone)} purged")


COMMANDS = (versions_command, restore_command, undelete_command, purge_command)
