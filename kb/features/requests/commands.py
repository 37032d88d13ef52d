"""`kb requests [--ask QUESTION] [--vote N]`: colleagues' requests for material."""

from __future__ import annotations

import click

from kb.commandline import Context, as_option, emit, json_option, pass_ctx
from kb.features.requests.payload import requests_payload
from kb.features.requests.queries import ask, requests_answer, vote


def _render(d: dict) -> None:
    if not d["requests"]:
        click.echo("no requests for material")
    for r in d["requests"]:
        state = (
            "open" if r["open"] else "answered by " + ", ".join(a["source"] for a in r["answers"])
        )
        click.echo(f"#{r['id']} {r['question']} ({r['votes']} votes; {state})")
        if r["experts"]:
            click.echo(f"    suggested: {', '.join(e['id'] for e in r['experts'])}")


@click.command()
@click.option("--ask", "question", help="Ask for material on this question (needs --as).")
@click.option("--vote", "vote_for", type=int, help="Vote for request N (needs --as).")
@as_option()
@json_option
@pass_ctx
def requests(ctx: Context, question, vote_for, person, as_json) -> None:
    """List the requests for material, open ones (most votes) first."""
    viewer = ctx.viewer(person)
    if question:
        click.echo(f"asked: request #{ask(ctx.kb, viewer, question)}", err=True)
    if vote_for is not None:
        vote(ctx.kb, viewer, vote_for)
    emit(requests_payload(requests_answer(ctx.kb, viewer)), as_json, _render)


COMMANDS = (requests,)
