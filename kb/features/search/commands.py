"""`kb search QUERY`: search material and reflections from the command line."""

from __future__ import annotations

import click

from kb.catalog import FACETS, Filters
from kb.commandline import Context, as_option, emit, json_option, pass_ctx
from kb.features.search.payload import search_payload
from kb.features.search.queries import search as run_search
from kb.ingest.records import KINDS
from kb.search.query.hybrid import METHODS, SORTS


def facet_options(command):
    """Add one option per facet (--kind, --subject, ...) and the date range."""
    for name in reversed(FACETS):
        kind = click.Choice(KINDS) if name == "kind" else None
        command = click.option(f"--{name}", type=kind)(command)
    command = click.option("--since", type=click.DateTime(["%Y-%m-%d"]))(command)
    return click.option("--until", type=click.DateTime(["%Y-%m-%d"]))(command)


def _render(d: dict) -> None:
    for group in (d.get("answer") or {}).get("groups", []):
        # The extractive answer (docs/answers.md), quoted as written, above the hits.
        click.echo(f"{group['label']}:")
        for sentence in group["sentences"]:
            click.echo(f"  “{sentence['text']}” ({group['source']})")
    if not d["hits"]:
        click.echo("no results")
    for i, hit in enumerate(d["hits"], 1):
        click.echo(f"{i:2d}. {hit['score']:.3f} [{hit['kind']}] {hit['title']}")
        click.echo(f"    {hit['source']}")


@click.command()
@click.argument("query")
@as_option("Search as this person (what they may see).")
@click.option("--limit", default=10, show_default=True, type=int)
@facet_options
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default=None,
    help="Fusion method (default: the configured one).",
)
@click.option(
    "--sort", type=click.Choice(SORTS), default=SORTS[0], show_default=True, help="Order of hits."
)
@json_option
@pass_ctx
def search(
    ctx: Context, query, person, limit, as_json, since, until, method, sort, **facets
) -> None:
    """Search material and reflections."""
    filters = Filters(
        **facets,
        date_from=since.date() if since else None,
        date_to=until.date() if until else None,
    )
    answer = run_search(
        ctx.kb, ctx.viewer(person), query, filters, limit=limit, method=method, sort=sort
    )
    emit(search_payload(answer), as_json, _render)


COMMANDS = (search,)
