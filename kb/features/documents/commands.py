"""`kb delete SOURCE [--as PERSON]`: delete a web upload or reflection."""

from __future__ import annotations

import click

from kb.commandline import Context, as_option, pass_ctx
from kb.features.documents.queries import delete_document


@click.command()
@click.argument("source")
@as_option("Delete as this person (an author or a coordinator); everyone's when left out.")
@pass_ctx
def delete(ctx: Context, source: str, person: str | None) -> None:
    """Delete a document uploaded or written on the web, with its file and its index entries."""
    delete_document(ctx.kb, ctx.viewer(person), source)
    click.echo(f"deleted {source}")


COMMANDS = (delete,)
