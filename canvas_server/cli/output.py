"""How the CLI shows errors: one line a user can act on, never a traceback."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from nodes.sdk import AuteurError

from ..graph.errors import GraphError

console = Console(stderr=True, soft_wrap=True)


def fail(error: AuteurError, exit_code: int = 2) -> NoReturn:
    console.print(f"[red]error[/] ({error.code}): {error.message}", highlight=False)
    raise typer.Exit(exit_code)


def print_errors(errors: list[GraphError]) -> None:
    console.print(f"[red]{len(errors)} problem(s):[/]")
    for error in errors:
        where = f"node {error.node_id}" if error.node_id else "graph"
        if error.input:
            where += f" input {error.input!r}"
        console.print(f"  {error.code:<24} {where}: {error.message}", highlight=False)
