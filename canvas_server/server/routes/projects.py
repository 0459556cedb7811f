"""Projects API: list, create, get, update, delete (to the trash), tree, files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from nodes.sdk import AuteurError, EventType, PathForbiddenError, PathSandbox

from ...governance import Action, Principal, ProjectResource, Role, allowed
from ...request_body import RequestBody
from ...workspace.errors import ItemNotFoundError
from ...workspace.manifest import ProjectManifest
from ...workspace.repair import ProjectRepair, RepairResult
from ...workspace.store import NewProject, ProjectPatch, ProjectStore, ProjectSummary
from ...workspace.tree import TreeNode, project_tree
from ..access import Allowed, OnProject, project_resource
from ..deps import get_principal, get_services
from ..media import media_response
from ..services import AppServices

router = APIRouter(prefix="/api/projects", tags=["projects"])


Services = Annotated[AppServices, Depends(get_services)]


def project_store(services: Services) -> ProjectStore:
    return ProjectStore(services.settings.workspace)


Store = Annotated[ProjectStore, Depends(project_store)]


class ProjectList(BaseModel):
    items: list[ProjectSummary]


class Trashed(BaseModel):
    """What a delete moved to the workspace trash (recoverable from there)."""

    deleted: str = Field(description="The project name or the project-relative path deleted")
    trash: str = Field(description="Where it is now, relative to the workspace")


class FileEntry(BaseModel):
    name: str
    path: str = Field(description="Relative to the project")
    kind: Literal["folder", "file", "forbidden", "broken"] = Field(
        description="forbidden: a symlink out of the project; broken: a symlink to nothing")
    size: int | None = Field(description="Bytes, for a file")


class FolderListing(BaseModel):
    path: str = Field(description="The folder, relative to the project")
    entries: list[FileEntry]


class ProjectMembers(BaseModel):
    owner: str | None
    members: dict[str, Role]


def readable(principal: Principal, store: ProjectStore, name: str) -> bool:
    try:
        return allowed(principal, Action.PROJECT_READ, project_resource(store.get(name)))
    except AuteurError:
        return allowed(principal, Action.PROJECT_DELETE, project_resource_of_nobody(name))


def project_resource_of_nobody(name: str) -> ProjectResource:
    """A project whose manifest cannot be read: only admins see and repair it."""
    return ProjectResource(name=name, owner=None)


@router.get("")
def list_projects(store: Store, principal: Annotated[Principal, Depends(Allowed(Action.PROJECT_LIST))]) -> ProjectList:
    """The projects the caller may read; a damaged one is listed with its error."""
    return ProjectList(items=[item for item in store.list() if readable(principal, store, item.name)])


@router.post("", status_code=201)
def create_project(
    request: NewProject,
    store: Store,
    services: Services,
    principal: Annotated[Principal, Depends(Allowed(Action.PROJECT_CREATE))],
) -> ProjectManifest:
    """Folders, project.json, a Git repository with LFS and a first commit; the caller owns it."""
    manifest = store.create(request, owner=principal.name)
    services.events.publish(EventType.PROJECT_UPDATE, {"reason": "created", "id": manifest.id}, project=manifest.name)
    return manifest


Reader = Depends(OnProject(Action.PROJECT_READ))


@router.get("/{project}", dependencies=[Reader])
def get_project(project: str, store: Store) -> ProjectManifest:
    return store.get(project)


@router.patch("/{project}", dependencies=[Depends(OnProject(Action.PROJECT_EDIT))])
def update_project(
    project: str,
    patch: ProjectPatch,
    store: Store,
    services: Services,
) -> ProjectManifest:
    manifest = store.update(project, patch)
    fields = sorted(patch.model_fields_set)
    services.events.publish(EventType.PROJECT_UPDATE, {"reason": "updated", "fields": fields}, project=manifest.name)
    return manifest


@router.delete("/{project}", dependencies=[Depends(OnProject(Action.PROJECT_DELETE))])
def delete_project(
    project: str,
    store: Store,
    services: Services,
) -> Trashed:
    """Move the project to `<workspace>/.trash/` (recoverable)."""
    name = store.get(project).name
    target = store.delete(project)
    services.events.publish(EventType.PROJECT_UPDATE, {"reason": "deleted"}, project=name)
    return Trashed(deleted=name, trash=target.relative_to(store.workspace).as_posix())


@router.get("/{project}/tree", response_model=TreeNode, dependencies=[Reader])
def get_tree(project: str, store: Store) -> TreeNode:
    """Chapters → scenes → shots → takes, and the asset folders, for the project browser."""
    return project_tree(store, project)


def resolve_in_project(root: Path, path: str) -> Path:
    """A client path through the sandbox; Git internals are never served."""
    resolved = PathSandbox([root]).resolve(path or ".")
    relative = resolved.relative_to(root.resolve()).parts
    if relative[:1] == (".git",):
        raise PathForbiddenError(f"path {path!r} is inside Git's internals", details={"path": path})
    return resolved


_DOWNLOAD = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


@router.get(
    "/{project}/files", response_model=FolderListing, dependencies=[Reader],
    # A file is downloaded as itself (its own media type, Range supported); a folder is listed.
    responses={200: {"description": "The folder's listing, or the file's bytes", "content": _DOWNLOAD}},
)
def get_files(
    project: str,
    store: Store,
    services: Services,
    path: str = Query("", description="Folder to list or file to download, relative to the project"),
) -> FolderListing | Response:
    """List a folder (`{path, entries}`) or download a file (media kept in object storage:
    a 307 to its presigned, expiring URL)."""
    root = store.root(project)
    target = resolve_in_project(root, path)
    if target.is_file():
        return media_response(services, target)
    if not target.is_dir():
        # The shared disk says what exists (a deleted file's object is never handed out).
        raise ItemNotFoundError("file", path)
    inside = root.resolve()
    entries = [_entry(item, inside) for item in sorted(target.iterdir()) if not item.name.startswith(".")]
    return FolderListing(path=target.relative_to(inside).as_posix(), entries=entries)


def _entry(item: Path, root: Path) -> FileEntry:
    """One listed item. A symlink is never followed out of the project: one that leaves it
    (or is broken) is shown as `forbidden` or `broken`, with no size or time of its target."""
    name, path = item.name, item.relative_to(root).as_posix()
    if item.is_symlink():
        target = item.resolve()
        if not target.is_relative_to(root):
            return FileEntry(name=name, path=path, kind="forbidden", size=None)
        if not target.exists():
            return FileEntry(name=name, path=path, kind="broken", size=None)
    if item.is_dir():
        return FileEntry(name=name, path=path, kind="folder", size=None)
    return FileEntry(name=name, path=path, kind="file", size=item.stat().st_size)


@router.post("/{project}/repair")
def repair_project(
    project: str,
    store: Store,
    services: Services,
    principal: Annotated[Principal, Depends(get_principal)],
) -> RepairResult:
    """Restore a damaged project.json from the newest commit holding a valid one. The project's
    owner, its creator members and admins may, as named by that restored manifest."""
    result = ProjectRepair(store, project).repair(principal)
    services.events.publish(EventType.PROJECT_UPDATE, {"reason": "repaired", "sha": result.restored_from},
                            project=result.project)
    return result


class MemberRole(RequestBody):
    role: Role


@router.put("/{project}/members/{member}", dependencies=[Depends(OnProject(Action.PROJECT_SHARE))])
def share_project(project: str, member: str, body: MemberRole, store: Store) -> ProjectMembers:
    """Give a principal (a token name) a role in this project; owners and admins only."""
    manifest = store.share(project, member, body.role)
    return ProjectMembers(owner=manifest.owner, members=manifest.members)


@router.delete("/{project}/members/{member}", dependencies=[Depends(OnProject(Action.PROJECT_SHARE))])
def unshare_project(project: str, member: str, store: Store) -> ProjectMembers:
    manifest = store.share(project, member, None)
    return ProjectMembers(owner=manifest.owner, members=manifest.members)
