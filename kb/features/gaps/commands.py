"""`kb gaps`: what colleagues searched for and did not find."""

from __future__ import annotations

import click

from kb.accounts import NotCoordinator
from kb.commandline import Context, as_option, emit, json_option, pass_ctx
from kb.features.gaps.payload import gaps_payload
from kb.features.gaps.queries import gaps as find_gaps


def _render(d: dict) -> None:
    if not d["gaps"]:
        click.echo(f"no search gaps (a gap shows once {d['min_askers']} colleagues asked)")
    for g in d["gaps"]:
        click.echo(f"{g['question']}: {g['askers']} colleagues, {g['searches']} searches")
        for doc in g["material"]:
            click.echo(f"    closest: {doc['source']}")
        if g["experts"]:
            click.echo(f"    nearest: {', '.join(e['id'] for e in g['experts'])}")


@click.command()
@as_option()
@json_option
@pass_ctx
def gaps(ctx: Context, person: str | None, as_json: bool) -> None:
    """Searches that found nothing, or nothing anyone opened, by at least two colleagues."""
    try:
        data = gaps_payload(find_gaps(ctx.kb, ctx.viewer(person)))
    except NotCoordinator as exc:
        raise click.ClickException(f"{person} is no coordinator: {exc}") from exc
    emit(data, as_json, _render)


COMMANDS = (gaps,)
