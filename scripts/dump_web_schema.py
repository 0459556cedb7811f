"""Write the schemas the browser editor's TypeScript types are generated from.

`web/schema/openapi.json` is the server's OpenAPI document (every route declares its response
model), with each field of a response model marked required where the server always sends it;
`web/schema/events.json` is `/api/events/schema`; `web/schema/sockets.json`
is the socket compatibility matrix computed by `nodes.sdk.sockets_compatible`, so the canvas
refuses exactly the links the server refuses. `npm run gen:types` turns them into
`web/src/generated/api.ts`.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

_METHOD_SUFFIX = re.compile(r"_(get|head|post|put|patch|delete|options)$")
_REF = "#/components/schemas/"


def openapi_document() -> dict[str, Any]:
    """The app's OpenAPI, response fields the server always sends marked required."""
    from canvas_server.server.app import create_app
    from canvas_server.settings import Settings

    with tempfile.TemporaryDirectory() as workspace:
        app = create_app(Settings(workspace=Path(workspace)))
        document: dict[str, Any] = app.openapi()
    schemas = document.get("components", {}).get("schemas", {})
    for name in _always_sent(app, document):
        schemas[name] = _always_present(schemas[name])
    _unique_operation_ids(document)
    return document


def _always_sent(app: FastAPI, document: dict[str, Any]) -> set[str]:
    """The schemas only ever serialised whole: reached from a response served with every field,
    and from no request body (a client may leave a defaulted field out) and no response that
    leaves unset or null fields out (a saved workflow is served as it was written)."""
    partial_ids = {
        route.unique_id for route in app.routes if isinstance(route, APIRoute)
        and (route.response_model_exclude_unset or route.response_model_exclude_none)
    }
    whole: list[Any] = []
    partial: list[Any] = []
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            partial.append(operation.get("requestBody"))
            responses = [response for status, response in operation.get("responses", {}).items()
                         if status.startswith("2")]
            (partial if operation.get("operationId") in partial_ids else whole).append(responses)
    schemas = document.get("components", {}).get("schemas", {})
    return _reached(whole, schemas) - _reached(partial, schemas)


def _reached(roots: list[Any], schemas: dict[str, Any]) -> set[str]:
    """Every component schema a `$ref` inside `roots` leads to, transitively."""
    found: set[str] = set()
    pending = list(roots)
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith(_REF) and ref[len(_REF):] not in found:
                found.add(ref[len(_REF):])
                pending.append(schemas.get(ref[len(_REF):]))
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def _unique_operation_ids(document: dict[str, Any]) -> None:
    """A route serving several methods (GET and HEAD) gets one id from FastAPI for all of
    them, built from whichever method its set yields first, which OpenAPI forbids and which
    changes between runs; give each such operation its own method's suffix."""
    operations = [
        (method, operation)
        for path in document.get("paths", {}).values()
        for method, operation in path.items()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    counts = Counter(operation["operationId"] for _, operation in operations)
    for method, operation in operations:
        if counts[operation["operationId"]] > 1:
            base = _METHOD_SUFFIX.sub("", operation["operationId"])
            operation["operationId"] = f"{base}_{method}"


def _always_present(schema: dict[str, Any]) -> dict[str, Any]:
    """A response model serialises every field, defaulted or not: mark them all required."""
    if "properties" in schema:
        schema["required"] = sorted(schema["properties"])
    return schema


def socket_rules() -> dict[str, list[str]]:
    """For every socket type: the input types an output of that type may feed."""
    from nodes.sdk import ANY, DOMAIN_TYPES, PRIMITIVE_TYPES, sockets_compatible

    types = sorted({*DOMAIN_TYPES, *PRIMITIVE_TYPES, ANY})
    return {out: [inp for inp in types if sockets_compatible(out, inp)] for out in types}


def write(target: Path) -> None:
    from canvas_server.events import event_schema

    target.mkdir(parents=True, exist_ok=True)
    documents = {
        "openapi.json": openapi_document(),
        "events.json": event_schema(),
        "sockets.json": socket_rules(),
    }
    for name, document in documents.items():
        text = json.dumps(document, indent=1, sort_keys=True) + "\n"
        (target / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "web" / "schema")
