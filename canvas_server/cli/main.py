"""`auteur`: the command-line entry point; each command group lives in its own module.

`auteur --help` must answer at once, so nothing here (nor in a command module's top level)
imports the server, the node packs or pydantic: each command imports what it runs, and the
command groups below load their module only when one of their commands is used."""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperGroup

from .packs import PackCommandGroup, list_packs

app = typer.Typer(
    name="auteur",
    help="Auteur Canvas: node-graph production canvas for AI film pre-production.",
    epilog="Node packs may add commands of their own: `auteur packs` lists them.",
    cls=PackCommandGroup,  # a name that is no built-in command is looked up in the packs
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("packs")(list_packs)


def _loaded_on_use(module: str, group: typer.Typer) -> type[TyperGroup]:
    """A group class whose commands `module` registers on `group`, imported at first use."""

    class LoadedOnUse(TyperGroup):
        def _real(self) -> TyperGroup:
            importlib.import_module(module)
            return typer.main.get_group(group)

        def list_commands(self, ctx: Any) -> list[str]:
            return self._real().list_commands(ctx)

        def get_command(self, ctx: Any, cmd_name: str) -> Any:
            return self._real().get_command(ctx, cmd_name)

    return LoadedOnUse


def lazy_group(name: str, module: str, help: str) -> typer.Typer:
    """`auteur NAME …`, with its commands in `module` (which registers them on the returned app)."""
    group = typer.Typer(help=help, no_args_is_help=True)
    loaded = typer.Typer(help=help, no_args_is_help=True, cls=_loaded_on_use(module, group))
    app.add_typer(loaded, name=name)
    return group


@app.callback()
def main() -> None:
    """Auteur Canvas command line."""


project_app = lazy_group("project", "canvas_server.cli.project", "File-based projects (Git + LFS) in the workspace.")
db_app = lazy_group("db", "canvas_server.cli.db", "The PostgreSQL database server replicas share (AUTEUR_DATABASE_URL).")
credentials_app = lazy_group("credentials", "canvas_server.cli.credentials",
                             "A principal's provider keys (Higgsfield, Suno, …), encrypted at rest, shown masked.")
tokens_app = lazy_group("tokens", "canvas_server.cli.tokens", "Manage API tokens (sent as `Authorization: Bearer`).")

# Commands register themselves here, one line each (their modules are light to import).
from . import doctor as _doctor  # noqa: E402,F401
from . import graphs as _graphs  # noqa: E402,F401
from . import mcp as _mcp  # noqa: E402,F401
from . import serve as _serve  # noqa: E402,F401
from . import worker as _worker  # noqa: E402,F401

if __name__ == "__main__":
    app()
