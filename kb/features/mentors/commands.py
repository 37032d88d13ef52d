"""`kb mentors [NEWCOMER | --all]`: mentor suggestions, or the matching of every newcomer."""

from __future__ import annotations

import click

from kb.commandline import Context, emit, json_option, pass_ctx
from kb.features.mentors.payload import matching_payload, mentors_payload, running_payload
from kb.features.mentors.queries import (
    MentorshipRefused,
    assign,
    end,
    match_mentors,
    mentors_answer,
    running,
)
from kb.search.access import Viewer


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
    answer = mentors_answer(ctx.kb, Viewer.system(), newcomer, limit)
    emit(mentors_payload(answer), as_json, _render_mentors)


@click.group()
def mentorship() -> None:
    """Running mentorships: list, assign (or change) and end them (a coordinator's tasks)."""


@mentorship.command("list")
@click.option("--person", help="Only those this colleague is mentor or newcomer in.")
@json_option
@pass_ctx
def mentorship_list(ctx: Context, person: str | None, as_json: bool) -> None:
    """List the running mentorships."""

    def render(d: dict) -> None:
        if not d["mentorships"]:
            click.echo("no running mentorships")
        for m in d["mentorships"]:
            since = f" since {m['since']}" if m["since"] else ""
            click.echo(
                f"{m['mentor_name']} ({m['mentor']}) mentors {m['mentee_name']} "
                f"({m['mentee']}){since}"
            )

    emit({"mentorships": running_payload(running(ctx.kb, person))}, as_json, render)


@mentorship.command("assign")
@click.argument("mentor")
@click.argument("newcomer")
@pass_ctx
def mentorship_assign(ctx: Context, mentor: str, newcomer: str) -> None:
    """Make MENTOR the mentor of NEWCOMER (ending the newcomer's mentorship with anyone else)."""
    try:
        made = assign(ctx.kb, Viewer.system(), mentor, newcomer)
    except MentorshipRefused as exc:
        why = exc.code.replace("_", " ")
        raise click.ClickException(f"{mentor} cannot mentor {newcomer}: {mentor} {why}") from exc
    click.echo(f"{made.mentor_name} now mentors {made.mentee_name}")


@mentorship.command("end")
@click.argument("newcomer")
@pass_ctx
def mentorship_end(ctx: Context, newcomer: str) -> None:
    """End NEWCOMER's mentorship."""
    if end(ctx.kb, Viewer.system(), newcomer):
        click.echo(f"the mentorship of {newcomer} has ended")
    else:
        click.echo(f"{newcomer} had no mentor")


COMMANDS = (mentors, mentorship)
