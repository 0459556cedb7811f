"""The ComfyUI-compatible app: a second FastAPI app over the same `AppServices` (run
manager, catalog, bus), served on its own port so the two `/ws` protocols never meet. Every
route also answers under `/api/`, as ComfyUI's do."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from ..governance import ForbiddenError
from ..server.boundary import install_boundary
from ..server.deps import get_principal
from ..server.errors import install_error_handlers
from ..server.json_guard import JsonGuard
from ..server.lifecycle import Lifecycle
from ..server.limits import BodySizeLimit
from ..server.query import strict_query
from ..server.readiness import ReadinessGate
from . import routes, routes_files, routes_frontend, routes_info, routes_jobs, ws
from .access import forbidden
from .frontend import mount_extensions, mount_frontend
from .logs import install_log_ring
from .submit import PromptRefused


async def _refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PromptRefused)
    return JSONResponse(exc.body, status_code=exc.status)


def create_comfy_app(lifecycle: Lifecycle) -> FastAPI:
    """The adapter app over the main app's `lifecycle`: it has no lifespan of its own, and
    answers 503 until the main app's services are started."""
    # No OpenAPI document: ComfyUI serves none, and its routes answer in ComfyUI's own shapes.
    app = FastAPI(title="Auteur Canvas — ComfyUI API", version="0.1.0", docs_url=None, redoc_url=None,
                  openapi_url=None, dependencies=[Depends(strict_query)])
    app.state.lifecycle = lifecycle
    hub = ws.StatusHub()
    app.state.comfy_hub = hub
    lifecycle.on_start(lambda services: services.events.listen(hub.on_event, remote=True))
    install_error_handlers(app)
    app.add_exception_handler(PromptRefused, _refused)
    app.add_exception_handler(ForbiddenError, forbidden)
    app.add_middleware(JsonGuard)  # inside the size limit (added last, so outermost)
    app.add_middleware(BodySizeLimit, max_bytes=lifecycle.settings.max_request_mb * 1024 * 1024,
                       uploads=r"(/api)?/upload/image/?")
    install_boundary(app, lifecycle.settings, upload_paths=(r"^(/api)?/upload/image/?$",),
                     urllib_default_type=True, untyped_paths=(r"^(/api)?/(v2/)?(userdata|settings)(/|$)",))
    authenticated = [Depends(get_principal)]
    for prefix in ("", "/api"):
        for router in (routes.router, routes_files.router, routes_info.router, routes_frontend.router,
                       routes_jobs.router):
            app.include_router(router, prefix=prefix, dependencies=authenticated)
    app.include_router(routes_frontend.templates_router, dependencies=authenticated)
    app.include_router(ws.router)
    app.include_router(routes_frontend.unknown_router, dependencies=authenticated)  # after every /api route
    install_log_ring()
    mount_extensions(app)
    if lifecycle.settings.comfyui_frontend:
        mount_frontend(app)
    app.add_middleware(ReadinessGate, readiness=lifecycle.readiness)  # added last: runs first
    return app
