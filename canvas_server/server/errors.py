"""One JSON error shape everywhere: `{"error": {"code", "message", "details"}}`, and the one
mapping from error codes to HTTP statuses."""

from __future__ import annotations

import errno
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from nodes.sdk import AuteurError

from ..request_body import field_name, validation_message
from ..scrub import scrub, scrub_text
from .openapi import allowed_methods

STATUS_BY_CODE: dict[str, int] = {
    "unauthorized": 401,
    "maturity_insufficient": 403,
    "forbidden": 403,
    "token_name_taken": 409,
    "path_forbidden": 403,
    "path_too_long": 400,
    "not_found": 404,
    "run_not_found": 404,
    "batch_not_found": 404,
    "credential_not_found": 404,
    "credential_invalid": 422,
    "credentials_unreadable": 409,
    "webhook_not_found": 404,
    "template_not_found": 404,
    "template_exists": 409,
    "project_not_found": 404,
    "token_not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "run_not_finished": 409,
    "review_decision_invalid": 422,
    "request_too_large": 413,
    "graph_too_large": 413,
    "quota_exceeded": 429,
    "too_many_clients": 429,
    "bad_request": 400,
    "json_invalid": 400,
    "query_invalid": 400,
    "graph_invalid": 422,
    "validation_failed": 422,
    "request_invalid": 422,
    "tier_unknown": 422,
    "template_invalid": 422,
    "param_invalid": 422,
    "override_invalid": 422,
    "graph_not_found": 404,
    # workspace (canvas_server/workspace/errors.py)
    # media storage (nodes/sdk/storage)
    "media_not_found": 404,
    "storage_key_invalid": 400,
    "storage_refused": 422,
    "range_invalid": 416,
    "storage_unavailable": 503,
    "direct_upload_unavailable": 409,
    "upload_ticket_invalid": 403,
    "project_exists": 409,
    "document_exists": 409,
    "nothing_to_commit": 409,
    "asset_not_found": 404,
    "document_not_found": 404,
    "take_not_found": 404,
    "note_not_found": 404,
    "shot_not_found": 404,
    "shot_changed": 409,
    "ingredient_not_found": 404,
    "shot_folder_taken": 409,
    "chapter_not_found": 404,
    "scene_not_found": 404,
    "event_not_found": 404,  # a story event of the timeline
    "event_invalid": 422,
    "edit_unreadable": 422,  # a conform's edit file (nodes/sdk/editorial)
    "edit_too_large": 413,
    "conform_unmatched": 422,
    "conform_stale": 409,
    "conform_duration_invalid": 422,
    "file_not_found": 404,
    "upload_too_large": 413,
    "unsupported_media_type": 415,
    "manifest_invalid": 409,
    "workflow_invalid": 409,  # a damaged workflow file: replace it (PUT) or restore it from Git  # a damaged project.json: listed with its error, repair or restore it
    "manifest_rejected": 422,
    "manifest_version_unsupported": 409,
    "project_intact": 409,  # repair of a project whose project.json reads
    "repair_impossible": 409,  # no commit holds a valid project.json
    "git_failed": 500,
    "service_unavailable": 503,  # starting or stopping (readiness.py); sent with Retry-After
    "audit_unavailable": 503,  # the state folder is read-only or full: nothing sensitive runs unaudited
}
_CODE_BY_STATUS = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large", 401: "unauthorized"}


def status_for(code: str) -> int:
    """Known client-error codes map to 4xx; anything else an AuteurError carries is a 400,
    because an AuteurError is raised on purpose about the request, not by a server bug."""
    return STATUS_BY_CODE.get(code, 400)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


async def send_error(send: Send, status: int, code: str, message: str, details: Any = None) -> None:
    """The error shape sent from ASGI middleware, before any route (or FastAPI) is reached."""
    body = json.dumps(error_body(code, message, details)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def error_response(
    code: str, message: str, details: Any = None, status: int | None = None, headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status or status_for(code), headers=headers)


def _workspace(request: Request) -> Path | None:
    lifecycle = getattr(request.app.state, "lifecycle", None)
    return lifecycle.settings.workspace if lifecycle is not None else None


async def _auteur_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AuteurError)
    status = status_for(exc.code)
    headers = {"Retry-After": "1"} if status == 503 else None
    workspace = _workspace(request)  # a message may quote an OSError's or a tool's server path
    return error_response(exc.code, scrub_text(exc.message, workspace), scrub(exc.details, workspace), status, headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODE_BY_STATUS.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # Starlette names only the first matching route's methods
        methods = allowed_methods(request.app, request.url.path)
        if methods:  # else a route outside the schema (the editor's pages): keep Starlette's
            headers.pop("allow", None)
            headers["Allow"] = ", ".join(methods)
    return error_response(code, str(exc.detail), None, exc.status_code, headers)


async def _request_invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        return error_response("json_invalid", "request body is not valid JSON", _plain(errors), 400)
    workspace = _workspace(request)
    return error_response("request_invalid", scrub_text(validation_message(errors), workspace),
                          scrub(_plain(errors), workspace), 422)


async def _os_error(request: Request, exc: Exception) -> JSONResponse:
    """A path longer than PATH_MAX (each name in it short enough for the sandbox) is the
    request's fault; any other OSError stays a server error."""
    assert isinstance(exc, OSError)
    if exc.errno == errno.ENAMETOOLONG:
        return error_response("path_too_long", "a path in the request is longer than a file system allows")
    raise exc


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    return error_response("internal_error", f"internal server error: {type(exc).__name__}", None, 500)


def _plain(errors: Any) -> list[dict[str, Any]]:
    """FastAPI error entries may hold exception objects in `ctx`; keep the JSON-safe part:
    where (`loc`, `field`), what (`msg`) and the constraint (`type`, and its limit in `ctx`)."""
    return [
        {"loc": list(error.get("loc", [])), "field": field_name(error.get("loc", ())),
         "msg": str(error.get("msg", "")), "type": str(error.get("type", "")), **_constraint(error)}
        for error in errors
    ]


def _constraint(error: Mapping[str, Any]) -> dict[str, Any]:
    """`{"ctx": {"le": 3600}}` for a bound; nothing when the context is not plain JSON."""
    ctx = error.get("ctx")
    if not isinstance(ctx, Mapping):
        return {}
    plain = {str(key): value for key, value in ctx.items()
             if isinstance(value, str | int | float | bool) or value is None}
    return {"ctx": plain} if plain else {}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AuteurError, _auteur_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(OSError, _os_error)
    app.add_exception_handler(Exception, _unexpected)


class NotFoundError(AuteurError):
    code = "not_found"
