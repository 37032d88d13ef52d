"""The `kb` command line: the same facade as the web app, for people and scripts."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path

import click

from kb.commandline import (
    Context,
    KbGroup,
    emit,
    json_option,
    pass_ctx,
    progress_factory,
    show_progress,
)
from kb.config import load_settings
from kb.error_table import KNOWN

DEMO_BUNDLE = Path(__file__).parent / "demo" / "bundle"


@click.group(cls=KbGroup, errors=KNOWN, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--instance",
    envvar="KB_INSTANCE",
    default="instance",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The instance folder (database, indexes).",
)
@click.pass_context
def main(ctx: click.Context, instance: str) -> None:
    """kb: the team's shared memory for collegial learning."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    ctx.obj = Context(instance)


@main.command()
@click.argument("bundle", type=click.Path(), required=False)
@click.option("--prune", is_flag=True, help="Remove documents that are no longer in the bundle.")
@pass_ctx
def ingest(ctx: Context, bundle: str | None, prune: bool) -> None:
    """Import a bundle folder (the demo bundle when none is given)."""
    from kb.ingest.bundle import BundleError

    path = Path(bundle) if bundle else DEMO_BUNDLE
    # Beside a live server, an ingest must not take the cores its searches need.
    ctx.kb.indexes.yield_to_serving()
    try:
        report = ctx.kb.documents.ingest(
            path,
            prune=prune,
            progress=progress_factory(show_progress()),
            on_wait=lambda: click.echo(
                "another kb ingest is writing this instance; waiting for it to finish", err=True
            ),
        )
    except BundleError as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    click.echo(f"bundle: {path}")
    for line in report.lines():
        click.echo(line)
    if ctx.kb.indexes.last_sync is not None and ctx.kb.indexes.last_sync.speed_line():
        click.echo(ctx.kb.indexes.last_sync.speed_line())


@main.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--as", "person", help="Export only what this person may open.")
@pass_ctx
def export(ctx: Context, folder: str, person: str | None) -> None:
    """Write the knowledge base back out as a bundle."""
    counts = ctx.kb.documents.export(Path(folder), ctx.viewer(person) if person else None)
    click.echo(
        f"exported to {folder}: {counts['people']} people, {counts['material']} material, "
        f"{counts['reflections']} reflections, {counts['requests']} requests"
    )


@main.group()
def token() -> None:
    """Create and revoke API tokens."""


@token.command("create")
@click.argument("person_id")
@pass_ctx
def token_create(ctx: Context, person_id: str) -> None:
    """Create an API token for a person; it is printed once, alone on the last line."""
    value = ctx.kb.people.create_token(person_id)
    click.echo(f"API token for {person_id} (keep it secret; it is not shown again):")
    click.echo(value)


@token.command("revoke")
@click.argument("person_id")
@pass_ctx
def token_revoke(ctx: Context, person_id: str) -> None:
    """Revoke every token of a person."""
    count = ctx.kb.people.revoke_tokens(person_id=person_id)
    click.echo(f"revoked {count} token(s) of {person_id}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
# Enough threads that health and quick searches never queue behind slow requests (an upload
# being read, a search on a busy machine); the GIL, not the thread count, bounds the CPU used.
@click.option("--threads", default=16, show_default=True, type=int)
@pass_ctx
def serve(ctx: Context, host: str, port: int, threads: int) -> None:
    """Run the web app and the API on the waitress production server."""
    from waitress import serve as waitress_serve

    from kb.app import create_app
    from kb.config import ConfigError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    # Start-up says what kb says ("kb serving …"), not the libraries' own INFO lines.
    for chatty in ("alembic", "waitress"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        if load_settings(ctx.instance).indexer == "process":
            from kb.search.serving.indexproc import lighten_queries

            lighten_queries()
        app = create_app({"INSTANCE": ctx.instance})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    app.extensions["kb"].finder.warm_up()
    click.echo(f"kb serving {Path(ctx.instance).resolve()} on http://{host}:{port}/")
    # waitress would otherwise spool bodies up to 1 GB to disk before Flask could refuse them.
    waitress_serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="kb",
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 64 * 1024,
    )


@main.command(hidden=True)
def indexer() -> None:
    """Keep a server's indexes up to date: its settings, then nudges, on standard input."""
    from kb.service import KnowledgeBase

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # A Ctrl-C at the terminal reaches the whole group; the server stops us by closing our
    # input, after the current round, so nothing is left half-done.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    KnowledgeBase.run_indexer_child(sys.stdin, sys.stdout)


@main.command()
@click.option("--verify", is_flag=True, help="Compare the indexes with the database and repair.")
@pass_ctx
def reindex(ctx: Context, verify: bool) -> None:
    """Rebuild the search indexes from the database (or only repair them with --verify)."""
    ctx.kb.indexes.yield_to_serving()
    report = ctx.kb.indexes.sync_indexes(
        progress=progress_factory(show_progress())("embedding"), force=not verify
    )
    click.echo(str(report))


@main.command()
@json_option
@pass_ctx
def doctor(ctx: Context, as_json: bool) -> None:
    """Report the embedding engine and precision, the CPU's features and what built the index."""
    from kb.search.doctor import doctor_report

    def render(data: dict) -> None:
        for key, value in data.items():
            click.echo(f"{key + ':':<18}{', '.join(value) if isinstance(value, list) else value}")

    emit(doctor_report(load_settings(ctx.instance)), as_json, render)


@main.group()
def vectors() -> None:
    """Move embedded vectors between instances (a first ingest embedded on a bigger machine)."""


@vectors.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@pass_ctx
def vectors_export(ctx: Context, file: str) -> None:
    """Write this instance's vectors to FILE, each under the SHA-256 of the text it was
    embedded from: the passages' (dense and sparse) and the answer sentences'."""
    from kb.search.indexes.exporting import export_vectors

    ix = ctx.kb.indexes
    with ctx.kb.db.read() as session:
        counts = export_vectors(
            session, ix.settings.index_path, ix.embedder, ix.sparse_encoder, Path(file)
        )
    click.echo(
        f"exported the vectors of {counts['passages']} passages ({counts.get('sparse', 0)} "
        f"with latent terms) and {counts['sentences']} answer sentences of "
        f"{ix.embedder.name} to {file}"
    )


@vectors.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@pass_ctx
def vectors_import(ctx: Context, file: str) -> None:
    """Let this instance's indexer take the vectors in FILE (`kb vectors export` of the same
    model) instead of embedding the same texts again; other texts are embedded as usual."""
    from kb.search.indexes.imported import install

    ix = ctx.kb.indexes
    models = {"dense": (ix.embedder.name, ix.embedder.dim)}
    if ix.sparse_encoder is not None:
        models["sparse"] = (ix.sparse_encoder.name, ix.sparse_encoder.dim)
    counts = install(Path(file), ix.settings.index_path, models)
    click.echo(
        f"imported {counts['dense']} vectors ({counts.get('sparse', 0)} with latent terms) "
        f"of {ix.embedder.name}: the indexer takes them instead of embedding those texts"
    )


@main.command("demo-login")
@click.argument("person_ids", nargs=-1)
@pass_ctx
def demo_login(ctx: Context, person_ids: tuple[str, ...]) -> None:
    """Give demo colleagues fresh passwords and print them: by default the demo's coordinator
    (Lena Holmberg, who sees knowledge risk and assigns mentors) and a newcomer (Amir Rahimi,
    who sees his own mentor suggestions only)."""
    import secrets

    from kb.accounts import account, set_password

    for person_id in person_ids or ("lena.holmberg", "amir.rahimi"):
        password = "demo-" + secrets.token_urlsafe(8)
        set_password(ctx.kb, person_id, password)
        role = " (coordinator)" if account(ctx.kb, person_id).is_coordinator else ""
        click.echo(f"log in as {person_id}{role} with the password {password}")


def _add_commands() -> None:
    from kb.features import commands
    from kb.web.cli_user import user
    from kb.web.sso.commands import sso

    for command in (*commands(), user, sso):
        main.add_command(command)


_add_commands()


@main.command()
@click.argument("names", nargs=-1)
@click.option(
    "--no-index", is_flag=True, help="Leave indexing to the running server (its schedule)."
)
@pass_ctx
def sync(ctx: Context, names: tuple[str, ...], no_index: bool) -> None:
    """Sync material from the remote folders in kb.toml ([[sync]]: Nextcloud, WebDAV)."""
    from kb.config import ConfigError

    ctx.kb.indexes.yield_to_serving()
    try:
        reports = ctx.kb.documents.sync(list(names) or None, index=not no_index)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if not reports:
        click.echo("no [[sync]] entries in kb.toml; nothing to sync")
    for report in reports:
        for line in report.lines():
            click.echo(line)
    if any(r.error for r in reports):
        sys.exit(1)


if __name__ == "__main__":
    main()
