"""Commands that node packs add to `auteur` (`nodes.sdk.Pack.commands`), and `auteur packs`.

The CLI imports no pack at start: `auteur --help` lists the built-in commands, and a name
that is not one of them is looked up in the packs (loading them then), so `auteur spotify
login` works exactly when the speaker pack is installed and allowed by AUTEUR_LOAD_PLUGINS.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from typer._click.core import Command, Context  # the click that Typer vendors and calls
from typer.core import TyperGroup

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

    from nodes.sdk import NodeRegistry

    from ..settings import Settings


class CliPackHost:
    """What the CLI lends a pack's commands (`nodes.sdk.PackHost`): the workspace of
    AUTEUR_WORKSPACE, read when a command first needs it."""

    @cached_property
    def settings(self) -> Settings:
        from ..settings import Settings

        return Settings()

    @property
    def state_dir(self) -> Path:
        return self.settings.state_dir

    def secret_box(self) -> Fernet:
        return self.settings.secret_box()


def loaded_packs() -> NodeRegistry:
    """The packs AUTEUR_LOAD_PLUGINS allows, with their hooks and failures."""
    from nodes.sdk import discover

    host = CliPackHost()
    return discover(only=host.settings.load_plugins)


def pack_commands(registry: NodeRegistry) -> dict[str, tuple[str, typer.Typer]]:
    """Each pack command by name, with the pack that brings it."""
    found: dict[str, tuple[str, typer.Typer]] = {}
    host = CliPackHost()
    for pack, hooks in sorted(registry.hooks.items()):
        if hooks.commands is not None:
            for name, command in hooks.commands(host).items():
                found.setdefault(name, (pack, command))
    return found


class PackCommandGroup(TyperGroup):
    """`auteur`'s command group: built-in commands first, then the packs' (loaded on use)."""

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        found = pack_commands(loaded_packs()).get(cmd_name)
        if found is None:
            return None
        group = typer.main.get_command(found[1])
        group.name = cmd_name
        return group


def list_packs() -> None:
    """List the node packs: their nodes, commands, routes and settings."""
    from nodes.sdk import pack_prefix

    registry = loaded_packs()
    commands = pack_commands(registry)
    for pack in sorted({*registry.packs, *registry.hooks}):
        hooks = registry.hooks.get(pack)
        typer.echo(f"{pack}: {len(registry.packs.get(pack, []))} nodes")
        names = sorted(name for name, (owner, _) in commands.items() if owner == pack)
        if names:
            typer.echo(f"  commands: {', '.join(f'auteur {name}' for name in names)}")
        if hooks is not None and hooks.routes is not None:
            typer.echo(f"  routes:   {pack_prefix(pack)}/…")
        if hooks is not None and hooks.settings is not None:
            fields = ", ".join(f"AUTEUR_{name.upper()}" for name in hooks.settings.model_fields)
            typer.echo(f"  settings: {fields}")
    for failure in registry.failures:
        typer.echo(f"{failure.pack}: FAILED {failure.error_type}: {failure.message}", err=True)
