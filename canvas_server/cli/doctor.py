"""`auteur doctor`: what this machine can run, and how to fix what it cannot."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

import typer

from .main import app

if TYPE_CHECKING:  # imported by the command itself: `auteur --help` loads none of it
    from nodes.sdk import NodeRegistry

    from ..settings import Settings

Check = tuple[str, bool, str]


def _binary(name: str, install: str) -> Check:
    path = shutil.which(name)
    return (name, path is not None, path or f"not found: install it with `{install}`")


def _git() -> Check:
    from ..workspace.gitrepo import check_git_lfs

    status = check_git_lfs()
    return ("git + git-lfs", status.lfs_available, status.message)


def _packs(registry: NodeRegistry) -> Check:
    failed = "; ".join(f"{f.pack}: {f.error_type}: {f.message}" for f in registry.failures)
    loaded = ", ".join(sorted(registry.packs))
    return ("node packs", not registry.failures, f"{len(registry)} nodes from {loaded}" + (f"; FAILED {failed}" if failed else ""))


def run_checks(settings: Settings) -> list[Check]:
    """The machine's tools, then what each loaded pack checks for itself (its `checks`
    hook: the audio pack's models), then the packs themselves."""
    from nodes.sdk import discover

    registry = discover(only=settings.load_plugins)
    results = [_binary("ffmpeg", "apt-get install ffmpeg"), _binary("ffprobe", "apt-get install ffmpeg"), _git()]
    for _, hooks in sorted(registry.hooks.items()):
        results.extend(hooks.checks() if hooks.checks is not None else [])
    results.append(_packs(registry))
    if settings.broker_url:
        results.append(_binary("redis-server", "apt-get install redis-server"))
    return results


@app.command("doctor")
def doctor(as_json: bool = typer.Option(False, "--json", help="Print the checks as JSON")) -> None:
    """Check binaries, models and node packs; exit 1 if something is missing."""
    from rich.console import Console
    from rich.table import Table

    from ..settings import Settings

    results = run_checks(Settings())
    if as_json:
        typer.echo(json.dumps([{"check": n, "ok": ok, "detail": d} for n, ok, d in results], indent=2))
    else:
        table = Table("check", "ok", "detail")
        for name, ok, detail in results:
            table.add_row(name, "[green]yes[/]" if ok else "[red]no[/]", detail)
        Console().print(table)
    raise typer.Exit(0 if all(ok for _, ok, _ in results) else 1)
