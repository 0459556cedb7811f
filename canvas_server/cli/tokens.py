"""`auteur tokens create|list|revoke|reset-local`: API tokens with a maturity level (hashed at rest)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from nodes.sdk import MATURITY_LEVELS, AuteurError, MaturityLevel

from ..governance import ROLES, Role, TokenStore
from ..governance.tokens import token_store
from ..settings import Settings
from .main import tokens_app


def _store() -> TokenStore:
    return token_store(Settings())


@tokens_app.command("create")
def create(
    maturity: str = typer.Option(..., "--maturity", help=f"One of {', '.join(MATURITY_LEVELS)}"),
    name: str = typer.Option("token", "--name", help="Who or what uses this token (never reused, not even after a revoke: runs and projects belong to it)"),
    role: str = typer.Option("creator", "--role", help=f"One of {', '.join(ROLES)}"),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON"),
) -> None:
    """Create a token; the secret is printed once and never stored."""
    level = maturity.upper()
    if level not in MATURITY_LEVELS:
        typer.echo(f"error: unknown maturity {maturity!r}; use one of {', '.join(MATURITY_LEVELS)}", err=True)
        raise typer.Exit(2)
    if role not in ROLES:
        typer.echo(f"error: unknown role {role!r}; use one of {', '.join(ROLES)}", err=True)
        raise typer.Exit(2)
    level_typed: MaturityLevel = level
    role_typed: Role = role
    try:
        info, secret = _store().create(name, level_typed, role_typed)
    except AuteurError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps({"id": info.id, "name": info.name, "maturity": info.maturity, "role": info.role,
                               "token": secret}))
        return
    typer.echo(f"created token {info.id} ({info.name}, {info.role}, {info.maturity}). Store it now; it is not shown again:")
    typer.echo(secret)


@tokens_app.command("list")
def list_tokens(as_json: bool = typer.Option(False, "--json", help="Print as JSON")) -> None:
    """List tokens (ids, names, maturity; never the secrets)."""
    tokens = _store().all()
    if as_json:
        typer.echo(json.dumps([t.model_dump(exclude={"sha256"}) for t in tokens], indent=2))
        return
    table = Table("id", "name", "role", "maturity", "revoked")
    for token in tokens:
        table.add_row(token.id, token.name, token.role, token.maturity, "yes" if token.revoked else "")
    Console().print(table)


@tokens_app.command("revoke")
def revoke(token_id: str = typer.Argument(..., help="Token id or name")) -> None:
    """Revoke a token; a running server refuses it from its next request."""
    try:
        info = _store().revoke(token_id)
    except AuteurError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"revoked token {info.id} ({info.name})")


@tokens_app.command("reset-local")
def reset_local() -> None:
    """Return a loopback server whose tokens are all revoked to no-token local use (the local
    user is admin/AUTONOMOUS again). Without it, revoking the last token locks the API."""
    try:
        _store().reset_local()
    except AuteurError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo("no-token local mode: on a loopback bind every local caller is the local admin again")
