"""`auteur credentials set|list|delete`: a principal's provider keys (Higgsfield, Suno, a remote
ComfyUI…), sealed in the workspace's key store the provider nodes read. The CLI is the local
user (an admin to `authorize()`), so it may name any principal; the key is read from stdin or a
hidden prompt, never from the command line (where `ps` and shell history would keep it), and
is shown only masked."""

from __future__ import annotations

import json
import re
import sys

import typer
from pydantic import SecretStr

from nodes.sdk.providers import KEY_CHARS, PROVIDER_NAME, CredentialStore, mask

from ..governance import LOCAL_PRINCIPAL, Action, CredentialResource, authorize
from ..settings import Settings
from .main import credentials_app
from .project import _guard

PRINCIPAL_HELP = "The principal (token name) the key belongs to; default: the local user"


def _store_for(principal: str) -> CredentialStore:
    _guard(lambda: authorize(LOCAL_PRINCIPAL, Action.CREDENTIAL_MANAGE, CredentialResource(owner=principal)))
    return CredentialStore.for_workspace(Settings().workspace)


def _check_provider(provider: str) -> None:
    if not re.fullmatch(PROVIDER_NAME, provider):
        typer.echo(f"error [credential_invalid]: a provider is a lower-case name ({PROVIDER_NAME}), not {provider!r}",
                   err=True)
        raise typer.Exit(2)


@credentials_app.command("set")
def set_key(
    provider: str = typer.Argument(..., help="The provider, e.g. higgsfield, suno, comfyui"),
    principal: str = typer.Option("local", "--principal", help=PRINCIPAL_HELP),
) -> None:
    """Store (or replace) a provider key, read from stdin (or asked for, hidden)."""
    _check_provider(provider)
    key = sys.stdin.readline().strip() if not sys.stdin.isatty() else typer.prompt("key", hide_input=True).strip()
    if not re.fullmatch(KEY_CHARS, key):
        typer.echo("error [credential_invalid]: a provider key is 8-4096 printable characters without spaces", err=True)
        raise typer.Exit(2)
    store = _store_for(principal)
    replaced = store.get(principal, provider) is not None
    secret = SecretStr(key)
    store.set(principal, provider, secret)
    typer.echo(f"{'replaced' if replaced else 'stored'} {principal}'s {provider} key {mask(secret)}")


@credentials_app.command("list")
def list_keys(
    principal: str = typer.Option("local", "--principal", help=PRINCIPAL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON"),
) -> None:
    """The providers a principal stored a key for, each key masked (its last four characters)."""
    keys = _store_for(principal).masked(principal)
    if as_json:
        typer.echo(json.dumps({"principal": principal, "credentials": [
            {"provider": name, "masked": shown} for name, shown in keys.items()]}))
        return
    for name, shown in keys.items():
        typer.echo(f"{name}\t{shown}")
    if not keys:
        typer.echo(f"no provider keys stored for {principal}")


@credentials_app.command("delete")
def delete_key(
    provider: str = typer.Argument(..., help="The provider whose key to forget"),
    principal: str = typer.Option("local", "--principal", help=PRINCIPAL_HELP),
) -> None:
    """Forget a principal's key for a provider."""
    _check_provider(provider)
    store = _store_for(principal)
    if store.get(principal, provider) is None:
        typer.echo(f"error [credential_not_found]: no {provider} key is stored for {principal}", err=True)
        raise typer.Exit(1)
    store.set(principal, provider, None)
    typer.echo(f"deleted {principal}'s {provider} key")
