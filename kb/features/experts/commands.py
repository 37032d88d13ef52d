"""`kb experts QUESTION`: who knows about a question, with the evidence."""

from __future__ import annotations

import click

from kb.commandline import Context, as_option, emit, json_option, pass_ctx
from kb.features.experts.payload import experts_payload
from kb.features.experts.queries import experts as find_experts


@click.command()
@click.argument("question")
@as_option()
@click.option("--limit", default=10, show_default=True, type=int)
@json_option
@pass_ctx
def experts(ctx: Context, question: str, person: str | None, limit: int, as_json: bool) -> None:
    """Who knows about a question, with the evidence."""
    found = find_experts(ctx.kb, ctx.viewer(person), question, limit)

    def render(d: dict) -> None:
        if not d["experts"]:
            click.echo("nobody found")
        for i, e in enumerate(d["experts"], 1):
            click.echo(f"{i:2d}. {e['score']:.2f} {e['name']} ({e['id']})")
            for ev in e["evidence"][:4]:
                click.echo(f"      {ev['why']}  [{ev['source']}]")
            for sk in e["skills"]:
                click.echo(f"      {sk['why']}")

    emit(experts_payload(question, found), as_json, render)


COMMANDS = (experts,)
