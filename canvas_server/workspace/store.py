"""Projects on disk: create from the template, list, get, update, delete to a trash."""

from __future__ import annotations

import builtins
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from function_runners.tiers import DEFAULT_TIER
from nodes.sdk import PathSandbox, layout

from ..governance.roles import Role
from ..request_body import RequestBody
from . import templates
from .errors import ManifestError, ProjectExistsError, ProjectNotFoundError
from .gitrepo import ProjectRepo, check_git_lfs
from .manifest import (
    Narrative,
    ProjectManifest,
    ProjectSettings,
    Quality,
    read_manifest,
    write_manifest,
)
from .names import NAME_PATTERN, check_name, is_valid_name
from .render_folders import make_render_folders, prune_render_folders


class ProjectSummary(BaseModel):
    """One project in the listing; a damaged project keeps its folder name and says why
    (`error`) so it can be repaired or restored from Git."""

    id: str | None
    name: str
    created: datetime | None = None
    updated: datetime | None = None
    quality: Quality | None = None
    structure: str | None = None
    error: str | None = None


class ProjectPatch(RequestBody):
    """Fields a client may change; omitted fields stay as they are."""

    description: str | None = None
    quality: Quality | None = None
    narrative: Narrative | None = None
    canvas: dict[str, Any] | None = None
    settings: ProjectSettings | None = None


class ProjectRef(BaseModel):
    """A project found by name or id: where it is and what a run needs of it."""

    root: Path
    id: str
    name: str
    quality: Quality


class NewProject(RequestBody):
    # Declared for the OpenAPI schema; `validate_name` enforces it with its own clear message.
    name: str = Field(json_schema_extra={"minLength": 1, "maxLength": 100, "pattern": NAME_PATTERN})
    structure: str = "three-act"
    quality: Quality = DEFAULT_TIER
    description: str = ""
    settings: ProjectSettings = Field(default_factory=ProjectSettings)


def validate_name(name: str) -> str:
    return check_name(name, "project")


class ProjectStore:
    """All projects of one workspace (`<workspace>/Projects/<name>/`)."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace.resolve()
        self.projects_dir = self.workspace / layout.PROJECTS_DIR
        self.trash_dir = self.workspace / layout.TRASH_DIR
        self.library_dir = self.workspace / layout.LIBRARY_DIR

    def ensure(self) -> None:
        self.projects_dir.mkdir(parents=True, exist_ok=True)
        templates.ensure_library(self.workspace)

    def create(self, request: NewProject, owner: str | None = None) -> ProjectManifest:
        """Skeleton + manifest + Git repository with LFS + a first commit."""
        name = validate_name(request.name)
        self.ensure()
        structure = templates.structure(request.structure, self.library_dir)
        root = self.projects_dir / name
        try:
            root.mkdir()
        except FileExistsError as exc:
            raise ProjectExistsError(name) from exc
        templates.copy_project_skeleton(root)
        manifest = ProjectManifest(
            name=name,
            description=request.description,
            quality=request.quality,
            narrative=structure.narrative(),
            settings=request.settings,
            owner=owner,
        )
        write_manifest(root, manifest)
        make_render_folders(root, manifest)
        if check_git_lfs().git is not None:
            repo = ProjectRepo.init(root, lfs=check_git_lfs().lfs_available)
            repo.commit(f"Create project {name} ({structure.name}, {request.quality} quality)")
        return manifest

    def list(self) -> list[ProjectSummary]:
        summaries: list[ProjectSummary] = []
        for root in sorted(self.projects_dir.iterdir()) if self.projects_dir.is_dir() else []:
            if not (root / layout.MANIFEST).is_file():
                continue
            try:
                manifest = read_manifest(root)
            except ManifestError as exc:
                summaries.append(ProjectSummary(id=None, name=root.name, error=exc.message))
                continue
            summaries.append(
                ProjectSummary(
                    id=manifest.id, name=manifest.name, created=manifest.created,
                    updated=manifest.updated, quality=manifest.quality,
                    structure=manifest.narrative.structure,
                )
            )
        return summaries

    def root(self, name_or_id: str) -> Path:
        """The project folder for a name or an id; never outside `Projects/`."""
        if is_valid_name(name_or_id):
            candidate = self.projects_dir / name_or_id
            if (candidate / layout.MANIFEST).is_file() and not candidate.is_symlink():
                return candidate
        for summary in self.list():
            if summary.id is not None and summary.id == name_or_id:
                return self.projects_dir / summary.name
        raise ProjectNotFoundError(name_or_id)

    def get(self, name_or_id: str) -> ProjectManifest:
        return read_manifest(self.root(name_or_id))

    def find(self, name_or_id: str) -> ProjectRef:
        """The one lookup of a project by name or id (routes, runs, CLI); ProjectNotFoundError
        for an unknown or traversing name, never a path outside `Projects/`."""
        root = self.root(name_or_id)
        manifest = read_manifest(root)
        return ProjectRef(root=root.resolve(), id=manifest.id, name=manifest.name, quality=manifest.quality)

    def sandbox(self, name_or_id: str) -> PathSandbox:
        """The path resolver for user paths inside one project."""
        return PathSandbox([self.root(name_or_id)])

    def repo(self, name_or_id: str) -> ProjectRepo:
        return ProjectRepo(self.root(name_or_id))

    @contextmanager
    def editing(self, name_or_id: str, *, only_if_changed: bool = False,
                commit: str | None = None) -> Iterator[ProjectManifest]:
        """Read-modify-write project.json under an exclusive lock (writers never lose edits).
        With `only_if_changed`, an edit that changed nothing leaves the file untouched (mirrors
        that run on every project event must not rewrite it, or they would feed themselves).
        With `commit`, the new project.json is committed with that message before the lock is
        released, so the commit holds exactly this edit."""
        root = self.root(name_or_id)
        with self._locked(root, name_or_id):
            manifest = read_manifest(root)
            before = manifest.dump() if only_if_changed else None
            yield manifest
            if before is not None and manifest.dump() == before:
                return
            manifest.updated = datetime.now(UTC)
            write_manifest(root, manifest)
            if commit is not None and (root / ".git").exists():  # a project made without git has no history
                ProjectRepo(root).commit(commit, [layout.MANIFEST])

    @contextmanager
    def _locked(self, root: Path, name_or_id: str) -> Iterator[None]:
        """The project's edit lock. A project moved to the trash meanwhile is not found (its
        folder is never recreated by taking the lock, nor written into after the move)."""
        lock_path = PathSandbox([root]).contain(root / layout.LOCK_FILE)
        try:
            lock_path.parent.mkdir(exist_ok=True)
            lock = lock_path.open("a")
        except FileNotFoundError as exc:
            raise ProjectNotFoundError(name_or_id) from exc
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (root / layout.MANIFEST).is_file():
                raise ProjectNotFoundError(name_or_id)
            yield

    def replace_damaged_manifest(self, root: Path, manifest: ProjectManifest) -> bool:
        """Write `manifest` over an unreadable project.json (a repair), under the edit lock;
        False, and nothing written, when the file on disk reads after all."""
        with self._locked(root, root.name):
            try:
                read_manifest(root)
            except ManifestError:
                write_manifest(root, manifest)
                return True
        return False

    def update(self, name_or_id: str, patch: ProjectPatch) -> ProjectManifest:
        with self.editing(name_or_id) as manifest:
            for field in patch.model_fields_set:
                setattr(manifest, field, getattr(patch, field))
        if "narrative" in patch.model_fields_set:  # written: the shots it dropped leave no placeholder folder
            root = self.root(name_or_id)
            with self._locked(root, name_or_id):
                prune_render_folders(root, read_manifest(root))
        return self.get(name_or_id)

    def share(self, name_or_id: str, member: str, role: Role | None) -> ProjectManifest:
        """Set (or, with None, remove) a principal's role in the project."""
        with self.editing(name_or_id) as manifest:
            if role is None:
                manifest.members.pop(member, None)
            else:
                manifest.members[member] = role
        return self.get(name_or_id)

    def delete(self, name_or_id: str) -> Path:
        """Move the project into `<workspace>/.trash/` (recoverable); returns where it went."""
        root = self.root(name_or_id)
        self.trash_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.trash_dir / f"{root.name}.{stamp}"
        with self._locked(root, name_or_id):  # not while an edit is writing project.json
            os.rename(root, target)  # same filesystem: atomic, nothing is copied or removed
        return target

    def trashed(self) -> builtins.list[str]:
        """Names of the projects in the trash (`<name>.<UTC timestamp>`), newest last."""
        if not self.trash_dir.is_dir():
            return []
        return sorted(entry.name for entry in self.trash_dir.iterdir() if entry.is_dir())

    def restore(self, trashed_name: str) -> Path:
        """Bring a trashed project back under its original name."""
        source = self.trash_dir / validate_name(trashed_name)
        if not source.is_dir():
            raise ProjectNotFoundError(trashed_name)
        name = read_manifest(source).name
        target = self.projects_dir / name
        if target.exists():
            raise ProjectExistsError(name)
        shutil.move(str(source), str(target))
        return target
