"""`kb review [SOURCE] [--done] [--owners IDS]`: owners and review dates."""

from __future__ import annotations

import click

from kb.commandline import Context, as_option, emit, json_option, pass_ctx
from kb.features.review.payload import review_payload, state_payload
from kb.features.review.queries import mark_reviewed, review_answer, set_owners, state
from kb.text.slugs import split_values


def _line(e: dict) -> str:
    owners = ", ".join(o["id"] for o in e["owners"]) or "NO OWNER"
    mark = " OVERDUE" if e["overdue"] else ""
    return f"{e['source']}: review by {e['review_by']}{mark} (owners: {owners})"


def _render(d: dict) -> None:
    if "source" in d:
        click.echo(_line(d))
        click.echo(f"    last reviewed: {d['reviewed'] or 'never'}")
        return
    if not d["owned"]:
        click.echo("owns no documents")
    for e in d["owned"]:
        click.echo(_line(e))
    for e in d["unowned"] or ():
        click.echo("unowned: " + _line(e))


@click.command()
@click.argument("source", required=False)
@click.option("--done", is_flag=True, help="Mark SOURCE as reviewed today.")
@click.option("--owners", help="Give SOURCE these owners (ids, comma-separated; '' = authors).")
@as_option("Act as this person (an owner or a coordinator); everyone's when left out.")
@json_option
@pass_ctx
def review(ctx: Context, source, done, owners, person, as_json) -> None:
    """Show a document's owners and review dates (or the list to review), or mark it reviewed."""
    viewer = ctx.viewer(person)
    kb = ctx.kb
    if source is None:
        if not person:
            raise click.ClickException("name a SOURCE, or --as PERSON for their list")
        emit(review_payload(kb, review_answer(kb, viewer)), as_json, _render)
        return
    if owners is not None:
        found = set_owners(kb, viewer, source, split_values(owners))
    found = mark_reviewed(kb, viewer, source) if done else state(kb, viewer, source)
    emit(state_payload(kb, found), as_json, _render)


COMMANDS = (review,)
