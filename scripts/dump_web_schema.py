"""Write the schemas the browser editor's TypeScript types are generated from.

`web/schema/openapi.json` is the server's OpenAPI document, with the pydantic models that
routes return as plain dicts (catalog entries, assets, takes, run records…) added under
`components.schemas`; `web/schema/events.json` is `/api/events/schema`; `web/schema/sockets.json`
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

from pydantic import BaseModel

EXTRA_MODELS = {
    "NodeSpec": ("nodes.sdk", "NodeSpec"),
    "PackFailure": ("nodes.sdk", "PackFailure"),
    "Asset": ("canvas_server.workspace.assets", "Asset"),
    "ShotTakes": ("canvas_server.workspace.takes", "ShotTakes"),
    "ProjectSummary": ("canvas_server.workspace.store", "ProjectSummary"),
    "TemplateSummary": ("canvas_server.server.template_store", "TemplateSummary"),
    "RunRecord": ("canvas_server.engine.record", "RunRecord"),
    "ErrorInfo": ("canvas_server.engine.record", "ErrorInfo"),
}

RESPONSE_MODELS = ("TreeNode",)
_METHOD_SUFFIX = re.compile(r"_(get|head|post|put|patch|delete|options)$")


def _model(module: str, name: str) -> type[BaseModel]:
    imported = __import__(module, fromlist=[name])
    model: type[BaseModel] = getattr(imported, name)
    return model


def openapi_document() -> dict[str, Any]:
    """The app's OpenAPI plus the models behind its untyped responses."""
    from canvas_server.server.app import create_app
    from canvas_server.settings import Settings

    with tempfile.TemporaryDirectory() as workspace:
        document: dict[str, Any] = create_app(Settings(workspace=Path(workspace))).openapi()
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for title, (module, name) in EXTRA_MODELS.items():
        schema = _model(module, name).model_json_schema(
            ref_template="#/components/schemas/{model}", mode="serialization"
        )
        for key, definition in schema.pop("$defs", {}).items():
            if key not in schemas:
                schemas[key] = _always_present(definition)
        schemas[title] = _always_present(schema)
    for name in RESPONSE_MODELS:
        schemas[name] = _always_present(schemas[name])
    _unique_operation_ids(document)
    return document


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
