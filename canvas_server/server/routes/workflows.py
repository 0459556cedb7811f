"""Project workflows: the editor's saved canvases under `02_Source_Creative/Canvas/*.json`.

The files endpoint lists and downloads but never writes, and documents are text with a type;
a workflow is a JSON object the editor saves whole, so it has its own small API. Saves are
atomic (temp file, then replace) and keep the JSON exactly as the editor sent it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ValidationError

from nodes.sdk import AuteurError, PathSandbox, atomic_write_text, layout

from ...graph.errors import GraphFormatError
from ...graph.workflow import Workflow
from ...request_body import validation_message
from ...workspace.errors import ItemNotFoundError
from ...workspace.names import check_name
from ...workspace.store import ProjectStore
from ..services import AppServices
from .projects import Services, Store

router = APIRouter(prefix="/api/projects/{project}/workflows", tags=["workflows"])


class WorkflowInfo(BaseModel):
    name: str
    path: str
    size: int
    modified: datetime


class WorkflowList(BaseModel):
    items: list[WorkflowInfo]


def _file(root: Path, name: str) -> Path:
    stem = check_name(name.removesuffix(".json"), "workflow")
    return PathSandbox([root]).contain(root / layout.CANVAS_DIR / f"{stem}.json")


def _info(root: Path, path: Path) -> WorkflowInfo:
    stat = path.stat()
    return WorkflowInfo(
        name=path.stem, path=path.relative_to(root).as_posix(), size=stat.st_size,
        modified=datetime.fromtimestamp(stat.st_mtime, UTC),
    )


def workflow_files(folder: Path) -> list[Path]:
    """The workflows saved in `folder`, newest first."""
    return sorted(folder.glob("*.json"), key=lambda item: item.stat().st_mtime, reverse=True)


@router.get("")
def list_workflows(project: str, store: Store) -> WorkflowList:
    """Saved workflows, newest first."""
    root = store.root(project)
    return WorkflowList(items=[_info(root, path) for path in workflow_files(root / layout.CANVAS_DIR)])


def _as_workflow(data: Any, name: str) -> Workflow:
    """`data` read as a litegraph workflow; `graph_invalid` (422) when it is not one."""
    try:
        return Workflow.model_validate(data)
    except ValidationError as exc:
        raise GraphFormatError(
            f"workflow {name!r} is not a litegraph workflow: {validation_message(exc.errors())}",
            details={"errors": [f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors()][:5]},
        ) from exc


def read_workflow(path: Path, name: str) -> Workflow:
    """A saved workflow file (a project's or a user's), checked to be one."""
    if not path.is_file():
        raise ItemNotFoundError("file", name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:  # a file edited or damaged outside the editor
        raise GraphFormatError(f"workflow {name!r} is not valid JSON: {exc}") from exc
    return _as_workflow(data, name)


def workflow_text(workflow: Any, name: str) -> str:
    """What is saved for `workflow`: checked to read back as one, the JSON as sent."""
    _as_workflow(workflow, name)
    try:
        return json.dumps(workflow, indent=1, ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        raise AuteurError("NaN and Infinity are not valid JSON numbers", code="bad_request") from exc


def write_workflow(services: AppServices, store: ProjectStore, project: str, name: str, workflow: Any) -> WorkflowInfo:
    """Save a project's workflow (the editor's PUT, ComfyUI's Ctrl+S on a project workflow)."""
    root = store.root(project)
    path = _file(root, name)
    atomic_write_text(path, workflow_text(workflow, name))
    info = _info(root, path)
    services.events.publish("file_changed", {"path": info.path, "change": "saved"}, project=store.get(project).name)
    return info


def project_workflow_path(store: ProjectStore, project: str, name: str) -> Path:
    return _file(store.root(project), name)


# Unset fields stay absent: the workflow is served as the editor saved it, not with defaults.
@router.get("/{name}", response_model_exclude_unset=True)
def get_workflow(project: str, name: str, store: Store) -> Workflow:
    return read_workflow(_file(store.root(project), name), name)


@router.put("/{name}", response_model=WorkflowInfo)
def save_workflow(project: str, name: str, workflow: dict[str, Any], store: Store, services: Services) -> WorkflowInfo:
    """Create or replace a workflow (the body is the litegraph JSON, saved as sent)."""
    return write_workflow(services, store, project, name, workflow)
