"""The app factory: `create_app(settings)` builds a FastAPI app with its own services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Route

from nodes.sdk import NodeRegistry

from ..governance import Action
from ..runs.workspace_lock import WorkspaceLock
from ..settings import Settings
from .access import Allowed, project_guard
from .boundary import install_boundary
from .deps import get_principal
from .errors import install_error_handlers
from .json_guard import JsonGuard
from .lifecycle import Lifecycle
from .limits import BodySizeLimit
from .openapi import ERROR_RESPONSES
from .packs import mount_pack_routes
from .query import strict_query
from .readiness import ReadinessGate
from .routes import (  # workspace (issue 4)
    assets,
    batches,
    catalog,
    credentials,
    documents,
    editorial,
    estimate,
    events,
    git,
    graphs,
    health,
    node_runs,
    projects,
    queue,
    reviews,
    runs,
    shots,
    signed_media,
    studio,
    takes,
    templates,
    timeline,
    user_workflows,
    webhooks,
    workflows,
)
from .routes.home import mount_home
from .services import AppServices

MIN_GZIP_BYTES = 500  # below this a gzip header and checksum save next to nothing


def create_app(settings: Settings | None = None, registry: NodeRegistry | None = None,
               lock: WorkspaceLock | None = None) -> FastAPI:
    """A new app; `uvicorn --factory canvas_server.server.app:create_app` serves it. Its
    lifespan builds and starts the services (`app.state.lifecycle`); `lock`, when given, is
    the workspace lock already taken by `auteur serve`."""
    settings = settings or Settings()
    lifecycle = Lifecycle(settings, registry, lock)
    # Imported here, and the MCP SDK only on the first /mcp request (agents/mcp_endpoint.py).
    from ..agents.mcp_endpoint import McpEndpoint

    mcp = McpEndpoint()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with lifecycle.running(), mcp.running():
            yield

    app = FastAPI(
        title="Auteur Canvas",
        version="0.1.0",
        description="Node-graph production canvas for AI film pre-production.",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,  # every route declares the error shape and its statuses
        dependencies=[Depends(strict_query)],
    )
    app.state.lifecycle = lifecycle
    install_error_handlers(app)
    app.add_middleware(JsonGuard)  # inside the size limit (added last, so outermost)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_request_mb * 1024 * 1024,
        uploads=r"/api/projects/[^/]+/assets/?",
    )
    # Editor assets and JSON answers, gzipped when the client accepts it (a first load moves a
    # quarter of the bytes). Starlette leaves alone what must stay as is: 206 range answers,
    # media and archive types, event streams, bodies already encoded, and WebSockets.
    app.add_middleware(GZipMiddleware, minimum_size=MIN_GZIP_BYTES, compresslevel=6)
    install_boundary(app, settings, upload_paths=(r"^/api/projects/[^/]+/assets/?$",))
    app.include_router(health.router)
    app.include_router(events.router)
    app.include_router(signed_media.router)  # signed URLs: speakers cannot send a token
    # Every route is authorized by `governance.authorize` (access.py): per route in the routers
    # of this package, by method for the routers mounted under /api/projects/{project}.
    authenticated = [Depends(get_principal)]
    in_project = [Depends(project_guard)]
    app.include_router(catalog.router, dependencies=[Depends(Allowed(Action.CATALOG_READ))])
    app.include_router(node_runs.router, dependencies=authenticated)
    # Agents (issue 21): the MCP endpoint checks the token itself, then asks authorize() per call.
    app.router.routes.append(Route("/mcp", endpoint=mcp, methods=["GET", "POST", "DELETE"]))
    app.include_router(graphs.router, dependencies=[Depends(Allowed(Action.GRAPH_CHECK))])
    app.include_router(estimate.router, dependencies=[Depends(Allowed(Action.GRAPH_CHECK))])
    app.include_router(runs.router, dependencies=authenticated)
    app.include_router(queue.router, dependencies=authenticated)
    app.include_router(reviews.router, dependencies=authenticated)
    app.include_router(batches.router, dependencies=authenticated)
    app.include_router(webhooks.router, dependencies=authenticated)
    app.include_router(templates.router, dependencies=[Depends(Allowed(Action.TEMPLATE_READ))])
    app.include_router(projects.router, dependencies=authenticated)
    app.include_router(studio.router, dependencies=authenticated)
    app.include_router(assets.router, dependencies=in_project)
    app.include_router(takes.router, dependencies=in_project)
    app.include_router(shots.router, dependencies=in_project)
    app.include_router(timeline.router, dependencies=in_project)
    app.include_router(git.router, dependencies=in_project)
    app.include_router(documents.router, dependencies=in_project)
    app.include_router(workflows.router, dependencies=in_project)
    app.include_router(user_workflows.router, dependencies=authenticated)
    app.include_router(credentials.router, dependencies=authenticated)
    app.include_router(editorial.router, dependencies=in_project)
    # The packs are loaded with the services: their routes join before the first request.
    lifecycle.on_start(lambda services: mount_pack_routes(app, services.registry, settings))
    mount_home(app, settings.web_dir)
    app.add_middleware(ReadinessGate, readiness=lifecycle.readiness)  # added last: runs first
    return app


__all__ = ["AppServices", "create_app"]
