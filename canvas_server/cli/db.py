"""`auteur db upgrade|migrate-from-sqlite`: the PostgreSQL database replicas share
(`AUTEUR_DATABASE_URL`)."""

from __future__ import annotations

import typer

from nodes.sdk import AuteurError, layout

from ..settings import Settings
from .main import db_app

_URL_HELP = "PostgreSQL URL (default: AUTEUR_DATABASE_URL)"


def _url(url: str | None) -> str:
    found = url or Settings().database_url
    if not found:
        typer.echo("error: no database: set AUTEUR_DATABASE_URL or pass --url", err=True)
        raise typer.Exit(2)
    return found


@db_app.command("upgrade")
def upgrade_command(url: str | None = typer.Option(None, "--url", help=_URL_HELP)) -> None:
    """Create or bring the database's schema to this Auteur's version (Alembic migrations)."""
    from ..db import connect
    from ..db.engine import reachable
    from ..db.upgrade import current, upgrade

    engine = connect(_url(url))
    try:
        with reachable():
            before = current(engine)
            reached = upgrade(engine)
    except AuteurError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"database schema: {before or 'empty'} -> {reached}" if before != reached
               else f"database schema: {reached} (already current)")


@db_app.command("migrate-from-sqlite")
def migrate_command(url: str | None = typer.Option(None, "--url", help=_URL_HELP)) -> None:
    """Move the workspace's (AUTEUR_WORKSPACE) runs, events, audit log, tokens, templates and users'
    settings from its files into the database (upgraded first). Stop the workspace's server before: its lock is taken meanwhile."""
    from ..db import connect
    from ..db.engine import reachable
    from ..db.from_sqlite import migrate_from_sqlite
    from ..db.upgrade import upgrade
    from ..runs.workspace_lock import acquire

    settings = Settings()
    engine = connect(_url(url))
    try:
        lock = acquire(settings.state_dir, "auteur db migrate-from-sqlite")
        try:
            with reachable():
                upgrade(engine)
                moved = migrate_from_sqlite(settings.state_dir, engine, settings.tokens_file,
                                            settings.workspace / layout.PIPELINE_TEMPLATES_DIR)
        finally:
            lock.release()
    except AuteurError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"moved {moved.runs} runs, {moved.events} events, {moved.outputs} output links, "
               f"{moved.retired} retired run ids, {moved.audit} audit lines, {moved.tokens} tokens, {moved.templates} "
               f"templates and {moved.settings} users' settings into the database")
