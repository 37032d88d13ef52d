"""`kb risk [--leaves PERSON]`: knowledge areas, fewest holders first."""

from __future__ import annotations

import click

from kb.accounts import NotCoordinator
from kb.commandline import Context, as_option, emit, json_option, pass_ctx
from kb.features.risk.payload import risk_payload
from kb.features.risk.queries import risk_answer


@click.command()
@click.option("--leaves", help="What goes if this person leaves.")
@as_option()
@json_option
@pass_ctx
def risk(ctx: Context, leaves: str | None, person: str | None, as_json: bool) -> None:
    """Knowledge areas, single-holder ones first."""
    try:
        data = risk_payload(risk_answer(ctx.kb, ctx.viewer(person), leaves))
    except NotCoordinator as exc:
        raise click.ClickException(f"{person} is no coordinator: {exc}") from exc

    def render(d: dict) -> None:
        for t in d["lost"] if leaves else d["topics"]:
            mark = "ONE HOLDER" if t["single_holder"] else f"truck factor {t['truck_factor']}"
            if not t["holders"] and t["declared_only"]:
                mark = "only declared: " + ", ".join(t["declared_only"])
            click.echo(
                f"{t['topic']}: {', '.join(t['holders'])} ({mark}; {len(t['sources'])} documents)"
            )
        for doc in d["orphaned"] if leaves else d["unowned"]:
            click.echo(f"{'would have no owner' if leaves else 'no owner'}: {doc['source']}")

    emit(data, as_json, render)


COMMANDS = (risk,)
