"""`kb home --as PERSON`: a colleague's home page on the command line."""

from __future__ import annotations

import click

from kb.commandline import Context, emit, json_option, pass_ctx
from kb.features.home.payload import home_payload
from kb.features.home.queries import home


def _render(d: dict) -> None:
    click.echo(f"{d['person']['name']}{' (new)' if d['newcomer'] else ''}")
    for label, key in (("new near you", "recent"), ("your material", "mine")):
        click.echo(f"{label}:")
        for b in d[key]:
            click.echo(f"  {b['date'] or ''} {b['title']} ({b['source']})")
    for m in d["mentors"]:
        click.echo(f"mentor: {m['name']}")
    for m in d["mentees"]:
        click.echo(f"mentee: {m['name']}")


@click.command(name="home")
@click.option("--as", "person", required=True, help="Whose home page.")
@json_option
@pass_ctx
def home_command(ctx: Context, person: str, as_json: bool) -> None:
    """Show what is new near a colleague, their own material, and their mentor or mentees."""
    answer = home(ctx.kb, ctx.viewer(person))
    emit(home_payload(ctx.kb, answer), as_json, _render)


COMMANDS = (home_command,)
