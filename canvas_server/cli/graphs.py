"""Graph commands: `auteur nodes`, `auteur validate`, `auteur convert`, `auteur run`."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from nodes.sdk import discover

from ..settings import Settings
from .main import app

console = Console()


@app.command("nodes")
def list_nodes(as_json: bool = typer.Option(False, "--json", help="Print the catalog as JSON")) -> None:
    """List installed node types and any pack that failed to load."""
    registry = discover(only=Settings().load_plugins)
    if as_json:
        payload = {
            "nodes": [spec.model_dump(mode="json") for spec in registry.specs()],
            "failed_packs": [failure.model_dump(exclude={"traceback"}) for failure in registry.failures],
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    table = Table("type", "title", "category", "maturity", "runs on", "pack")
    for spec in registry.specs():
        table.add_row(spec.type, spec.title, spec.category, spec.maturity, spec.runs_on, spec.pack)
    console.print(table)
    for failure in registry.failures:
        console.print(f"[red]pack {failure.pack!r} failed to load:[/] {failure.error_type}: {failure.message}")
