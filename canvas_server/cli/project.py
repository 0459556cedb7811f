"""`auteur project ...`: create, list, show, delete, share, repair, commit, log and status of projects."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from function_runners.tiers import TIER_NAMES
from nodes.sdk import AuteurError

from ..governance import LOCAL_PRINCIPAL, ROLES, Action, Role, authorize
from ..governance.tokens import token_store
from ..settings import Settings
from ..workspace.gitrepo import check_git_lfs
from ..workspace.manifest import Quality
from ..workspace.repair import ProjectRepair
from ..workspace.store import NewProject, ProjectStore
from .main import project_app

T = TypeVar("T")
console = Console()


def _store() -> ProjectStore:
    return ProjectStore(Settings().workspace)


def _guard(action: Callable[[], T]) -> T:
    """Run an action; an AuteurError becomes one red line and exit code 1."""
    try:
        return action()
    except AuteurError as exc:
        typer.echo(f"error [{exc.code}]: {exc.message}", err=True)
        raise typer.Exit(1) from exc


def _is_active_token(name: str) -> bool:
    return any(token.name == name for token in token_store(Settings()).active())


def _echo_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, default=str))


@project_app.command("new")
def new(
    name: str = typer.Argument(..., help="Project folder name"),
    structure: str = typer.Option("three-act", help="three-act, heros-journey, beat-sheet, story-circle"),
    quality: str = typer.Option("standard", help="Default quality tier: low, standard, high"),
    description: str = typer.Option("", help="One-line description"),
    owner: str = typer.Option(LOCAL_PRINCIPAL.name, "--owner",
                              help="Token name of the owner (default: the local user, whom admins act for)"),
    as_json: bool = typer.Option(False, "--json", help="Print the manifest as JSON"),
) -> None:
    """Create a project: folders, project.json, a Git repository with LFS, a first commit."""
    if quality not in TIER_NAMES:
        typer.echo(f"error [value_invalid]: quality must be one of {', '.join(TIER_NAMES)}, not {quality!r}", err=True)
        raise typer.Exit(2)
    if owner != LOCAL_PRINCIPAL.name and not _is_active_token(owner):
        typer.echo(f"error [value_invalid]: no active token is named {owner!r} (see `auteur tokens list`)", err=True)
        raise typer.Exit(2)
    tier: Quality = quality
    request = NewProject(name=name, structure=structure, quality=tier, description=description)
    manifest = _guard(lambda: _store().create(request, owner=owner))
    if as_json:
        _echo_json(manifest.dump())
        return
    lfs = check_git_lfs()
    typer.echo(f"created project {manifest.name} ({manifest.id}) in {_store().projects_dir / name}")
    if not lfs.lfs_available:
        console.print(f"[yellow]warning:[/] {lfs.message}")


@project_app.command("list")
def list_projects(as_json: bool = typer.Option(False, "--json", help="Print as JSON")) -> None:
    """List the workspace's projects."""
    projects = _guard(lambda: _store().list())
    if as_json:
        _echo_json([item.model_dump(mode="json") for item in projects])
        return
    table = Table("name", "id", "structure", "quality", "created")
    for item in projects:
        if item.error is not None:
            table.add_row(item.name, "-", "[red]damaged[/]", "-", item.error)
            continue
        created = item.created.isoformat(timespec="seconds") if item.created else "-"
        table.add_row(item.name, item.id or "-", item.structure or "-", item.quality or "-", created)
    console.print(table)


@project_app.command("show")
def show(name: str = typer.Argument(..., help="Project name or id")) -> None:
    """Print a project's manifest (project.json) as JSON."""
    _echo_json(_guard(lambda: _store().get(name)).dump())


@project_app.command("delete")
def delete(
    name: str = typer.Argument(..., help="Project name or id"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation"),
) -> None:
    """Move a project to the workspace trash (`.trash/`, recoverable)."""
    if not yes:
        typer.confirm(f"move project {name!r} to the trash?", abort=True)
    _guard(lambda: _authorize(name, Action.PROJECT_DELETE))
    target = _guard(lambda: _store().delete(name))
    typer.echo(f"moved {name} to the trash as {target.name}; `auteur project restore {target.name}` brings it back")


def _authorize(name: str, action: Action) -> None:
    """The CLI works on the workspace's files directly, as the local user (an admin); it still
    asks the one authorization function, like the server."""
    authorize(LOCAL_PRINCIPAL, action, _store().get(name).access())


@project_app.command("share")
def share(
    name: str = typer.Argument(..., help="Project name or id"),
    member: str = typer.Option(..., "--with", help="Token name of the principal to share with"),
    role: str = typer.Option("viewer", "--role", help=f"One of {', '.join(ROLES)}"),
    remove: bool = typer.Option(False, "--remove", help="Take the principal's role away instead"),
) -> None:
    """Give a principal a role in a project: viewers read, creators edit, run and commit."""
    if role not in ROLES:
        typer.echo(f"error [value_invalid]: role must be one of {', '.join(ROLES)}, not {role!r}", err=True)
        raise typer.Exit(2)
    if not remove and not _is_active_token(member):
        typer.echo(f"error [token_not_found]: no active token is named {member!r} (see `auteur tokens list`)", err=True)
        raise typer.Exit(1)
    typed: Role = role
    _guard(lambda: _authorize(name, Action.PROJECT_SHARE))
    manifest = _guard(lambda: _store().share(name, member, None if remove else typed))
    typer.echo(f"{manifest.name}: owner {manifest.owner or '-'}; members " +
               (", ".join(f"{who} ({what})" for who, what in sorted(manifest.members.items())) or "none"))


@project_app.command("repair")
def repair(name: str = typer.Argument(..., help="Project folder name (a damaged project has no readable id)")) -> None:
    """Restore a damaged project.json from the newest commit that holds a valid one."""

    result = _guard(lambda: ProjectRepair(_store(), name).repair(LOCAL_PRINCIPAL))
    typer.echo(f"repaired {result.project}: project.json restored from {result.restored_from[:10]} "
               f"({result.commit_message})")


@project_app.command("trash")
def trash() -> None:
    """List trashed projects (restore one with `auteur project restore NAME`)."""
    for name in _store().trashed():
        typer.echo(name)


@project_app.command("restore")
def restore(trashed: str = typer.Argument(..., help="Name shown by `auteur project trash`")) -> None:
    """Bring a trashed project back under its original name, history included."""
    target = _guard(lambda: _store().restore(trashed))
    typer.echo(f"restored {target.name}")


@project_app.command("commit")
def commit(
    name: str = typer.Argument(..., help="Project name or id"),
    message: str = typer.Option(..., "-m", "--message", help="Commit message"),
) -> None:
    """Commit every change in the project (media through Git LFS)."""
    info = _guard(lambda: _store().repo(name).commit(message))
    typer.echo(f"[{info.sha[:10]}] {info.message} ({len(info.files)} files)")


@project_app.command("log")
def log(
    name: str = typer.Argument(..., help="Project name or id"),
    limit: int = typer.Option(20, help="How many commits"),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON"),
) -> None:
    """Show the project's commit history."""
    commits = _guard(lambda: _store().repo(name).log(limit))
    if as_json:
        _echo_json([item.model_dump(mode="json") for item in commits])
        return
    for item in commits:
        typer.echo(f"{item.sha[:10]} {item.date.isoformat(timespec='seconds')} {item.message}")


@project_app.command("status")
def status(
    name: str = typer.Argument(..., help="Project name or id"),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON"),
) -> None:
    """Show files changed since the last commit."""
    entries = _guard(lambda: _store().repo(name).status())
    if as_json:
        _echo_json([item.model_dump() for item in entries])
        return
    if not entries:
        typer.echo("nothing to commit, working tree clean")
    for item in entries:
        typer.echo(f"{item.index}{item.worktree} {item.path}")
