"""Our projects' workflows inside ComfyUI's user folder, so each side sees the other's work.

ComfyUI's frontend keeps a user's workflows in userdata `workflows/` (our editor lists those
as "My workflows", `server.routes.user_workflows`); our editor keeps a project's under its
canvas folder. Every project the caller may read appears to ComfyUI as the folder
`workflows/Projects/<project>/`: listing shows its workflows, reading one reads the project's
file, and saving one (Ctrl+S) saves into the project through the editor's own function, as
the caller (its project role decides). Renaming and deleting stay the project's business.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from nodes.sdk import AuteurError, layout

from ..governance import Action, Principal
from ..server.access import authorize_project
from ..server.routes.projects import list_projects
from ..server.routes.workflows import project_workflow_path, workflow_files, write_workflow
from ..server.services import AppServices
from ..workspace.store import ProjectStore

FOLDER = ("workflows", "Projects")


class ProjectWorkflowPathError(AuteurError):
    code = "path_forbidden"


def _parts(relative: str) -> tuple[str, ...]:
    return PurePosixPath(relative.replace("\\", "/").strip("/")).parts


def in_projects(relative: str) -> bool:
    """Whether `relative` (a userdata path) lies in the projects' folder."""
    return _parts(relative)[:2] == FOLDER


def project_and_name(relative: str) -> tuple[str, str]:
    """`workflows/Projects/<project>/<name>.json` → (project, name); anything else there is refused."""
    parts = _parts(relative)
    if len(parts) != 4 or not parts[3].endswith(".json"):
        raise ProjectWorkflowPathError(
            f"{relative!r}: the Projects folder holds each project's workflows as Projects/<project>/<name>.json")
    return parts[2], parts[3].removesuffix(".json")


def listed(services: AppServices, principal: Principal) -> Iterator[tuple[str, Path]]:
    """(userdata path, file) of every workflow of every project the caller may read."""
    store = ProjectStore(services.settings.workspace)
    for project in list_projects(store, principal).items:
        for path in workflow_files(store.root(project.name) / layout.CANVAS_DIR):
            yield "/".join((*FOLDER, project.name, path.name)), path


def read(services: AppServices, principal: Principal, relative: str) -> Path:
    """The project's workflow file behind `relative` (the caller may read the project)."""
    project, name = project_and_name(relative)
    authorize_project(services, principal, project, Action.PROJECT_READ)
    return project_workflow_path(ProjectStore(services.settings.workspace), project, name)


def save(services: AppServices, principal: Principal, relative: str, workflow: Any, *, overwrite: bool) -> bool:
    """Save into the project (the caller's project edit role); False when it exists and
    `overwrite` is off."""
    project, name = project_and_name(relative)
    authorize_project(services, principal, project, Action.PROJECT_EDIT)
    store = ProjectStore(services.settings.workspace)
    if not overwrite and project_workflow_path(store, project, name).exists():
        return False
    write_workflow(services, store, project, name, workflow)
    return True


def refuse_change(relative: str) -> None:
    """Moving or deleting inside the projects' folder: the project's editor does that."""
    if in_projects(relative):
        raise ProjectWorkflowPathError(
            f"{relative!r} is a project's workflow: rename or delete it in the project (Auteur's editor)")
