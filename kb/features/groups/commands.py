"""`kb group NAME` and `kb tag TAG`: a learning group's reflections, a tag's documents."""

from __future__ import annotations

import click

from kb.commandline import Context, as_option, emit, json_option, pass_ctx
from kb.errors import NotFound
from kb.features.groups.payload import group_payload, tag_payload
from kb.features.groups.queries import group, tagged


def _render_group(d: dict) -> None:
    click.echo(d["name"])
    for s in d["steps"]:
        click.echo(f"{s['step'] or '-'}:")
        for r in s["reflections"]:
            click.echo(f"  {r['date'] or ''} {r['title']} ({r['source']})")
    click.echo("members: " + ", ".join(m["name"] for m in d["members"]))
    for m in d["material"]:
        click.echo(f"material: {m['title']} ({m['source']})")


def _render_tag(d: dict) -> None:
    for b in d["documents"]:
        click.echo(f"{b['date'] or ''} {b['title']} ({b['source']})")


@click.command(name="group")
@click.argument("name")
@as_option()
@json_option
@pass_ctx
def group_command(ctx: Context, name: str, person: str | None, as_json: bool) -> None:
    """Show a learning group: its reflections step by step, members, material used."""
    answer = group(ctx.kb, ctx.viewer(person), name)
    if answer is None:
        raise NotFound(f"no learning group {name!r}")
    emit(group_payload(ctx.kb, answer), as_json, _render_group)


@click.command(name="tag")
@click.argument("tag")
@as_option()
@json_option
@pass_ctx
def tag_command(ctx: Context, tag: str, person: str | None, as_json: bool) -> None:
    """List the documents with a tag, newest first."""
    docs = tagged(ctx.kb, ctx.viewer(person), tag)
    if not docs:
        raise NotFound(f"no documents tagged {tag!r}")
    emit(tag_payload(ctx.kb, tag, docs), as_json, _render_tag)


COMMANDS = (group_command, tag_command)
