"""What the OpenAPI document promises about errors, and the `Allow` header of a 405.

Every route answers errors in one shape (docs/architecture.md §6); `ERROR_RESPONSES` declares that shape for
each status an API route can answer besides its success: bad input (400, 422), no or a revoked
token (401), a role or maturity that is not enough (403), an unknown run, project or file (404),
a state conflict (409), a body over the limit (413), a server starting or stopping (503).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field
from starlette.routing import compile_path


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. run_not_found")
    message: str = Field(description="What went wrong, for a person")
    details: Any = Field(None, description="Structured context (validation problems, limits…)")


class ErrorBody(BaseModel):
    """`{"error": {"code", "message", "details"}}`."""

    error: ErrorDetail


_STATUSES = {
    400: "The request cannot be read (bad JSON, bad multipart, an invalid name…)",
    401: "No valid token (tokens are required on this server)",
    403: "The caller's role or maturity does not allow this",
    404: "No such run, project, template, file or route",
    409: "The resource's state forbids it (exists already, not finished…)",
    413: "The request body, an upload or a graph is over its configured limit",
    422: "The body or parameters do not match the schema, or the graph is invalid",
    503: "The server is starting or stopping: retry after `Retry-After` seconds",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in _STATUSES.items()
}
# Only the routes that queue runs answer 429 (and 503 also when the audit log cannot be written).
SUBMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorBody, "description": "The caller's quota of queued runs or stored bytes is used up"},
}


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the API serves at `path`, from the OpenAPI paths of all routers (Starlette's
    405 names only the first matching route's methods). A literal path (`/api/templates/import`)
    answers for itself: its methods are not mixed with a parameter's (`/api/templates/{id}`)."""
    matched: dict[str, set[str]] = {}
    for template, operations in app.openapi().get("paths", {}).items():
        regex, _, _ = compile_path(template)
        if regex.match(path):
            matched[template] = {method.upper() for method in operations}
    exact = matched.get(path)
    methods = set(exact) if exact else {method for found in matched.values() for method in found}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)
