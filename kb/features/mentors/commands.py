"""`kb mentors [NEWCOMER | --all]`: mentor suggestions, or the matching of every newcomer."""

from __future__ import annotations

import click

from kb.commandline import Context, emit, json_option, pass_ctx
from kb.features.mentors.payload import matching_payload, mentors_payload
from kb.features.mentors.queries import match_mentors, mentors_answer
from kb.search.access import Viewer
from kb.service import UnknownPerson


def _render_matching(d: dict) -> None:
    if not d["matches"]:
        click.echo("no newcomers")
    for m in d["matches"]:
        click.echo(
            f"{m['newcomer_name']} -> {m['mentor_name'] or '(nobody)'}: " + "; ".join(m["reasons"])
        )


def _render_mentors(d: dict) -> None:
    if not d["mentors"]:
        click.echo("no willing mentor with room left")
    for i, m in enumerate(d["mentors"], 1):
        click.echo(f"{i}. {m['name']} ({m['id']}): " + "; ".join(m["reasons"]))


@click.command()
@click.argument("newcomer", required=False)
@click.option("--all", "match", is_flag=True, help="Match every newcomer at once.")
@click.option("--limit", default=5, show_default=True, type=int)
@json_option
@pass_ctx
def mentors(ctx: Context, newcomer: str | None, match: bool, limit: int, as_json: bool) -> None:
    """Suggest mentors for a newcomer, or match all newcomers with --all."""
    if match or not newcomer:
        data = matching_payload(match_mentors(ctx.kb, Viewer.system()))
        return emit(data, as_json, _render_matching)
    try:
        answer = mentors_answer(ctx.kb, Viewer.system(), newcomer, limit)
    except UnknownPerson as exc:
        raise click.ClickException(f"no person with id {newcomer!r}") from exc
    emit(mentors_payload(answer), as_json, _render_mentors)


COMMANDS = (mentors,)
