"""Mounting what node packs contribute to the app: each pack's routes under
/api/packs/<pack>, authorized by the one authorization function like every /api route.

The server never imports a pack: it reads the hooks the registry found in the packs' entry
points (`nodes.sdk.Pack`) and lends them a host (the state folder, the server's secret, the
caller). A pack whose hook fails is reported in the catalog, like a pack that failed to import.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from cryptography.fernet import Fernet
from fastapi import Depends, FastAPI

from nodes.sdk import NodeRegistry, pack_failure, pack_prefix

from ..governance import Action, Principal
from ..settings import Settings
from .access import Allowed
from .deps import get_principal


async def caller_name(principal: Annotated[Principal, Depends(get_principal)]) -> str:
    """The caller's principal name (the route's own dependency has already allowed it)."""
    return principal.name


class ServerPackHost:
    """What the server lends a pack's routes (`nodes.sdk.RouteHost`)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def state_dir(self) -> Path:
        return self._settings.state_dir

    def secret_box(self) -> Fernet:
        return self._settings.secret_box()

    @property
    def caller(self) -> Callable[..., Any]:
        return caller_name


def mount_pack_routes(app: FastAPI, registry: NodeRegistry, settings: Settings) -> None:
    """Include every pack's routers; pack routes use integrations (creators and admins).
    Once per app, though its lifespan may run again (a test client reopened)."""
    if getattr(app.state, "pack_routes_mounted", False):
        return
    app.state.pack_routes_mounted = True
    host = ServerPackHost(settings)
    allowed = [Depends(Allowed(Action.INTEGRATION_USE))]
    for name, hooks in sorted(registry.hooks.items()):
        if hooks.routes is None:
            continue
        try:
            routes = hooks.routes(host)
        # A third-party hook may raise anything; the server starts without its routes and
        # the catalog reports the pack, as for a pack that failed to import.
        except Exception as exc:
            registry.failures.append(pack_failure(name, f"{name}: routes", exc))
            continue
        if routes.authorized is not None:
            app.include_router(routes.authorized, prefix=pack_prefix(name), dependencies=allowed)
        if routes.public is not None:  # callers without our token (OAuth redirects)
            app.include_router(routes.public, prefix=pack_prefix(name))
