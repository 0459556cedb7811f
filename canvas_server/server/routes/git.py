"""Git API for a project: status, commit (media through LFS), log."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from nodes.sdk import EventType

from ...request_body import RequestBody
from ...workspace.errors import ItemNotFoundError
from ...workspace.gitrepo import CommitInfo, FileStatus
from ..openapi import ErrorBody
from .projects import Services, Store, resolve_in_project

router = APIRouter(prefix="/api/projects/{project}/git", tags=["git"])


class CommitRequest(RequestBody):
    message: str = Field(min_length=1, description="Commit message")
    paths: list[str] | None = Field(None, description="Only these project paths (default: every change)")


class GitStatus(BaseModel):
    files: list[FileStatus]


class GitLog(BaseModel):
    commits: list[CommitInfo] = Field(description="Newest first")


@router.get("/status")
def git_status(project: str, store: Store) -> GitStatus:
    return GitStatus(files=store.repo(project).status())


@router.post("/commit", status_code=201,
             responses={500: {"model": ErrorBody, "description": "Git itself failed (`git_failed`)"}})
def git_commit(
    project: str,
    request: CommitRequest,
    store: Store,
    services: Services,
) -> CommitInfo:
    paths = None
    if request.paths:
        root = store.root(project)
        paths = [resolve_in_project(root, path).relative_to(root.resolve()).as_posix() for path in request.paths]
        changed = {entry.path for entry in store.repo(project).status()}
        for path in paths:
            if not (root / path).exists() and path not in changed:
                raise ItemNotFoundError("file", path)
    info = store.repo(project).commit(request.message, paths)
    services.events.publish(EventType.PROJECT_UPDATE, {"reason": "committed", "sha": info.sha}, project=store.get(project).name)
    return info


@router.get("/log")
def git_log(
    project: str,
    store: Store,
    limit: int = Query(50, ge=1, le=1000),
) -> GitLog:
    return GitLog(commits=store.repo(project).log(limit))
