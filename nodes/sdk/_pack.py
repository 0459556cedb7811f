"""What a pack contributes besides nodes: HTTP routes, settings and CLI commands.

A pack's `auteur.nodes` entry point module may define `PACK = Pack(...)` beside its `NODES`
(the way a Datasette plugin implements `register_routes` and owns its `plugin_config`). The
server mounts the pack's routes under `/api/packs/<pack>` behind its one authorization
function; the `auteur` CLI adds its commands. Neither imports the pack: a pack that is absent
(or excluded by `AUTEUR_LOAD_PLUGINS`) contributes nothing and breaks nothing.

What a pack needs of the server (the workspace's state folder, encryption with the server's
secret, the caller of a route) comes through the host object passed to its hooks, never by
importing the server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ._settings import PackSettings

if TYPE_CHECKING:  # the server's and the CLI's libraries load only where they are used
    from cryptography.fernet import Fernet
    from fastapi import APIRouter
    from typer import Typer

PACK_ROUTES = "/api/packs"
PackCheck = tuple[str, bool, str]  # what `auteur doctor` shows: (thing, ok, detail or how to fix)


def pack_prefix(pack: str) -> str:
    """Where the server mounts a pack's routes: `/api/packs/<pack>`."""
    return f"{PACK_ROUTES}/{pack}"


class PackHost(Protocol):
    """What the server (for routes) or the CLI (for commands) lends a pack."""

    @property
    def state_dir(self) -> Path:
        """The workspace's state folder; a pack keeps its own files in a folder under it."""
        ...

    def secret_box(self) -> Fernet:
        """Encrypts and decrypts with the server's secret (OAuth tokens at rest)."""
        ...


class RouteHost(PackHost, Protocol):
    """The server's side: also who is calling."""

    @property
    def caller(self) -> Callable[..., Any]:
        """A FastAPI dependency giving the authorized caller's principal name."""
        ...


@dataclass(frozen=True)
class PackRoutes:
    """A pack's routes. `authorized` ones are allowed by the server's authorization function
    like every /api route (a caller that may use integrations). `public` ones answer callers
    that cannot send our token (a browser coming back from an OAuth consent page); each must
    check its own proof (a single-use state) before it does anything."""

    authorized: APIRouter | None = None
    public: APIRouter | None = None


@dataclass(frozen=True)
class Pack:
    """The registration hooks of a pack; every field is optional.

    - `settings`: the pack's settings model, read from `AUTEUR_*` (listed by `auteur packs`).
    - `routes(host)`: the pack's routes, mounted under `pack_prefix(<pack>)`.
    - `commands(host)`: Typer apps by command name, added to `auteur` (loaded only when one
      of them is run, so `auteur --help` never imports a pack).
    - `checks()`: what `auteur doctor` verifies for the pack (models, optional libraries).
    """

    settings: type[PackSettings] | None = None
    routes: Callable[[RouteHost], PackRoutes] | None = None
    commands: Callable[[PackHost], Mapping[str, Typer]] | None = None
    checks: Callable[[], Sequence[PackCheck]] | None = None


def pack_of(entry_point: Any) -> Pack | None:
    """The `PACK` an entry point module declares, None when it declares none."""
    declared = getattr(entry_point, "PACK", None)
    if declared is None or isinstance(declared, Pack):
        return declared
    raise TypeError(f"PACK is a {type(declared).__name__}; declare it as nodes.sdk.Pack(...)")
