"""`auteur worker --tier high`: a Celery worker serving one quality tier's queue."""

from __future__ import annotations

import os
import socket

import typer

from .main import app


@app.command("worker")
def worker(
    tier: str = typer.Option("standard", "--tier", help="Quality tier to serve: low, standard or high"),
    concurrency: int = typer.Option(
        0, "--concurrency", "-c", min=0, help="Pool processes (default: CPU count)"),
    name: str = typer.Option("", "--name", help="Worker node name (default: auteur-TIER-PID@HOST)"),
    loglevel: str = typer.Option("info", "--loglevel", "-l", help="Celery log level"),
    max_tasks_per_child: int = typer.Option(
        0, "--max-tasks-per-child", min=0,
        help="Tasks a pool process runs before it is replaced (default: AUTEUR_CELERY_MAX_TASKS_PER_CHILD)"),
) -> None:
    """Run nodes of one tier from the Celery queue `auteur.TIER` (needs AUTEUR_BROKER_URL)."""
    from function_runners.celery_app import WORKER_TIER_ENV, create_app, queue_for
    from function_runners.settings import CelerySettings
    from function_runners.tiers import TIER_NAMES

    from ..settings import Settings

    if tier not in TIER_NAMES:
        raise typer.BadParameter(f"unknown tier {tier!r}; use one of {', '.join(TIER_NAMES)}",
                                 param_hint="--tier")
    broker_url = Settings().broker_url
    if not broker_url:
        typer.echo("auteur worker: set AUTEUR_BROKER_URL (e.g. redis://127.0.0.1:6379/0)", err=True)
        raise typer.Exit(2)
    # Pool processes inherit the tier: it goes into every node's runner label.
    os.environ[WORKER_TIER_ENV] = tier
    settings = CelerySettings(broker_url=broker_url)
    if max_tasks_per_child:
        settings = settings.model_copy(update={"celery_max_tasks_per_child": max_tasks_per_child})
    argv = [
        "worker", "--queues", queue_for(tier), "--pool", "prefork",
        "--concurrency", str(concurrency or os.cpu_count() or 1),
        "--hostname", name or f"auteur-{tier}-{os.getpid()}@{socket.gethostname()}",
        "--loglevel", loglevel, "--without-mingle", "--without-gossip",
    ]
    create_app(settings).worker_main(argv)
