"""Project workflows: the editor's saved canvases under `02_Source_Creative/Canvas/*.json`.

The files endpoint lists and downloads but never writes, and documents are text with a type;
a workflow is a JSON object the editor saves whole, so it has its own small API. Saves are
atomic (temp file, then replace) and keep the JSON exactly as the editor sent it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from nodes.sdk import AuteurError, atomic_write_text, layout

from ...workspace.errors import ItemNotFoundError
from .projects import Services, Store

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$")

router = APIRouter(prefix="/api/projects/{project}/workflows", tags=["workflows"])


class WorkflowInfo(BaseModel):
    name: str
    path: str
    size: int
    modified: datetime


class WorkflowNameError(AuteurError):
    code = "name_invalid"


def _file(root: Path, name: str) -> Path:
    stem = name.removesuffix(".json")
    if not _NAME.match(stem) or ".." in stem:
        raise WorkflowNameError(
            f"workflow name {name!r} must start with a letter or digit and use only letters, "
            "digits, spaces, '_', '-' and '.' (at most 100 characters, no '..')",
            details={"name": name},
        )
    return root / layout.CANVAS_DIR / f"{stem}.json"


def _info(root: Path, path: Path) -> WorkflowInfo:
    stat = path.stat()
    return WorkflowInfo(
        name=path.stem, path=path.relative_to(root).as_posix(), size=stat.st_size,
        modified=datetime.fromtimestamp(stat.st_mtime, UTC),
    )


@router.get("")
def list_workflows(project: str, store: Store) -> dict[str, Any]:
    """Saved workflows, newest first."""
    root = store.root(project)
    files = sorted((root / layout.CANVAS_DIR).glob("*.json"), key=lambda item: item.stat().st_mtime, reverse=True)
    return {"items": [_info(root, path).model_dump(mode="json") for path in files]}


@router.get("/{name}")
def get_workflow(project: str, name: str, store: Store) -> dict[str, Any]:
    path = _file(store.root(project), name)
    if not path.is_file():
        raise ItemNotFoundError("file", name)
    workflow: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return workflow


@router.put("/{name}", response_model=WorkflowInfo)
def save_workflow(project: str, name: str, workflow: dict[str, Any], store: Store, services: Services) -> WorkflowInfo:
    """Create or replace a workflow (the body is the litegraph JSON)."""
    try:
        text = json.dumps(workflow, indent=1, ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        raise AuteurError("NaN and Infinity are not valid JSON numbers", code="bad_request") from exc
    root = store.root(project)
    path = _file(root, name)
    atomic_write_text(path, text)
    info = _info(root, path)
    services.events.publish("file_changed", {"path": info.path, "change": "saved"}, project=store.get(project).name)
    return info
