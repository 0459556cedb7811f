"""Repairing a damaged project: `project.json` restored from the newest commit that holds a
valid one (the same validation as every read), replaced atomically under the project's lock.

Who may repair is decided by `governance.authorize` on the manifest being restored (its owner
and members), since the damaged file on disk no longer says who they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ValidationError

from nodes.sdk import layout

from ..governance.authorize import Action, authorize
from ..governance.principal import Principal
from .errors import ManifestError, ProjectNotFoundError, WorkspaceError

if TYPE_CHECKING:
    import git
from .manifest import ProjectManifest, migrate, read_manifest
from .store import ProjectStore, validate_name

HISTORY_LIMIT = 200  # commits of project.json searched, newest first


class RepairError(WorkspaceError):
    """`project_intact` (nothing to repair) or `repair_impossible` (no valid manifest in Git)."""

    code = "repair_impossible"


class RepairResult(BaseModel):
    project: str
    restored_from: str
    commit_message: str


@dataclass(frozen=True)
class GoodManifest:
    sha: str
    message: str
    manifest: ProjectManifest


class ProjectRepair:
    """One project folder, found by its folder name even when its manifest is unreadable."""

    def __init__(self, store: ProjectStore, name: str) -> None:
        folder = store.projects_dir / validate_name(name)
        if not folder.is_dir() or folder.is_symlink():
            raise ProjectNotFoundError(name)
        self.root = folder
        self.name = name
        self.store = store

    def repair(self, principal: Principal) -> RepairResult:
        """Authorize (on the intact manifest, else on the one to restore) and restore."""
        if self.damage() is None:
            authorize(principal, Action.PROJECT_REPAIR, self.current().access())
            raise self.intact()
        good = self.last_good()
        authorize(principal, Action.PROJECT_REPAIR, good.manifest.access())
        return self.restore(good)

    def damage(self) -> str | None:
        """Why the manifest on disk cannot be read, or None when it reads."""
        try:
            read_manifest(self.root)
        except ManifestError as exc:
            return exc.message
        return None

    def intact(self) -> RepairError:
        return RepairError(f"project {self.name} is not damaged; nothing to repair",
                           code="project_intact", details={"project": self.name})

    def current(self) -> ProjectManifest:
        return read_manifest(self.root)

    def last_good(self) -> GoodManifest:
        """The newest committed project.json that reads (parse, migrate, validate)."""
        import git  # GitPython: only a repair reads history

        try:
            repo = git.Repo(self.root)
            shas = repo.git.log(f"-{HISTORY_LIMIT}", "--format=%H", "--", layout.MANIFEST).split()
        except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError) as exc:
            raise RepairError(f"project {self.name} has no Git history to restore project.json from",
                              details={"project": self.name}) from exc
        for sha in shas:
            manifest = _manifest_at(repo, sha)
            if manifest is not None:
                commit = repo.commit(sha)
                return GoodManifest(sha, str(commit.message).strip(), manifest)
        raise RepairError(f"no commit of project {self.name} holds a valid {layout.MANIFEST}",
                          details={"project": self.name, "commits_searched": len(shas)})

    def restore(self, good: GoodManifest) -> RepairResult:
        """Replace project.json with `good` (atomically, under the project's edit lock)."""
        if not self.store.replace_damaged_manifest(self.root, good.manifest):
            raise self.intact()
        return RepairResult(project=self.name, restored_from=good.sha, commit_message=good.message)


def _manifest_at(repo: git.Repo, sha: str) -> ProjectManifest | None:
    import git

    try:
        text = repo.git.show(f"{sha}:{layout.MANIFEST}")
        return ProjectManifest.model_validate(migrate(json.loads(text)))
    except (git.GitCommandError, json.JSONDecodeError, ValidationError, ManifestError, TypeError, AttributeError):
        return None
