"""The caller's own workflows ("My workflows"): the files ComfyUI's frontend saves in the
caller's user folder (`workflows/`, Ctrl+S there), listed, opened and saved by our editor too,
so a workflow made in either frontend is found in the other. A project's workflows stay under
`/api/projects/{project}/workflows` (and ComfyUI sees those: `comfy.project_workflows`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends

from ...comfy import userdata
from ...governance import Action, Principal, authorize
from ...graph.workflow import Workflow
from ..deps import get_principal, get_services
from ..services import AppServices
from .workflows import WorkflowInfo, WorkflowList, read_workflow, workflow_text

router = APIRouter(prefix="/api/workflows", tags=["workflows"])
FOLDER = "workflows"


def _file(services: AppServices, principal: Principal, name: str) -> tuple[Path, Path]:
    """(user folder, file) of workflow `name` (`sub/name`, `.json` optional), never outside."""
    root = userdata.user_dir(services.settings.state_dir, principal)
    userdata.user_path(root, name)  # the name alone is a relative path (not `/etc/x`, no `..`)
    return root, userdata.user_path(root, f"{FOLDER}/{name.removesuffix('.json')}.json")


def _info(folder: Path, path: Path) -> WorkflowInfo:
    stat = path.stat()
    return WorkflowInfo(name=path.relative_to(folder).as_posix().removesuffix(".json"),
                        path=path.relative_to(folder.parent).as_posix(), size=stat.st_size,
                        modified=datetime.fromtimestamp(stat.st_mtime, UTC))


@router.get("")
def list_user_workflows(services: AppServices = Depends(get_services),
                        principal: Principal = Depends(get_principal)) -> WorkflowList:
    """The caller's own workflows (saved here or from ComfyUI's frontend), newest first."""
    authorize(principal, Action.USERDATA_READ)
    root = userdata.user_dir(services.settings.state_dir, principal)
    files = [path for path in userdata.list_files(root, FOLDER, recurse=True) if path.suffix == ".json"]
    files.sort(key=lambda item: item.stat().st_mtime, reverse=True)
    return WorkflowList(items=[_info(root / FOLDER, path) for path in files])


@router.get("/{name:path}", response_model_exclude_unset=True)
def get_user_workflow(name: str, services: AppServices = Depends(get_services),
                      principal: Principal = Depends(get_principal)) -> Workflow:
    """One of the caller's workflows, as it was saved."""
    authorize(principal, Action.USERDATA_READ)
    return read_workflow(_file(services, principal, name)[1], name)


@router.put("/{name:path}")
def save_user_workflow(name: str, workflow: dict[str, Any], services: AppServices = Depends(get_services),
                       principal: Principal = Depends(get_principal)) -> WorkflowInfo:
    """Create or replace one of the caller's workflows (ComfyUI's frontend lists it at once)."""
    authorize(principal, Action.USERDATA_WRITE)
    root, path = _file(services, principal, name)
    userdata.save(root, path.relative_to(root).as_posix(), workflow_text(workflow, name).encode(), overwrite=True)
    return _info(root / FOLDER, path)
