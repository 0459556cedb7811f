"""Each project is a Git repository with media in Git LFS (GitPython underneath).

Files are staged with `repo.git.add` (the `git` binary) because GitPython's index API writes
blobs itself and would bypass the LFS clean filter, committing whole media files.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from .errors import GitError

if TYPE_CHECKING:  # GitPython is imported by the methods that use it: listing projects needs none
    import git

DEFAULT_IDENTITY = ("Auteur Canvas", "auteur@localhost")


class LfsStatus(BaseModel):
    """Whether git and git-lfs are usable, and what works without them."""

    git: str | None
    lfs: str | None
    message: str

    @property
    def lfs_available(self) -> bool:
        return self.lfs is not None


def _version(*command: str) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def check_git_lfs() -> LfsStatus:
    """The startup check: a missing git-lfs is reported with what still works."""
    git_version = _version("git", "--version")
    lfs_version = _version("git", "lfs", "version") if git_version else None
    if git_version is None:
        message = (
            "git is not installed: projects are created as plain folders with no history; "
            "install git and git-lfs to enable commit, status and log"
        )
    elif lfs_version is None:
        message = (
            "git-lfs is not installed: projects, commits, status and log work, but media is "
            "committed as ordinary Git blobs (large repositories); install git-lfs "
            "(apt-get install git-lfs) and run `git lfs install --local` in each project"
        )
    else:
        message = f"{git_version}; {lfs_version}"
    return LfsStatus(git=git_version, lfs=lfs_version, message=message)


class FileStatus(BaseModel):
    path: str
    index: str
    worktree: str


class CommitInfo(BaseModel):
    sha: str
    message: str
    author: str
    date: datetime
    files: list[str] = []


class ProjectRepo:
    """The Git side of one project folder."""

    def __init__(self, root: Path) -> None:
        import git

        self.root = root
        try:
            self.repo = git.Repo(root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise GitError(f"{root.name} is not a Git repository", details={"project": root.name}) from exc

    @classmethod
    def init(cls, root: Path, *, lfs: bool) -> ProjectRepo:
        """`git init`, LFS hooks and filters for this repository only, a committer identity."""
        import git

        repo = git.Repo.init(root, initial_branch="main")
        if not _has_identity(repo):
            with repo.config_writer() as config:
                config.set_value("user", "name", DEFAULT_IDENTITY[0])
                config.set_value("user", "email", DEFAULT_IDENTITY[1])
        if lfs:
            repo.git.lfs("install", "--local")
        return cls(root)

    def commit(self, message: str, paths: list[str] | None = None) -> CommitInfo:
        """Stage (through the LFS filters) and commit; `nothing_to_commit` when clean."""
        import git

        if not message.strip():
            raise GitError("a commit needs a message", code="commit_message_missing")
        try:
            if paths:
                self.repo.git.add("--", *paths)
            else:
                self.repo.git.add("--all")
            if self.repo.head.is_valid() and not self.repo.index.diff("HEAD"):
                raise GitError("nothing to commit", code="nothing_to_commit")
            self.repo.git.commit("-m", message)
        except git.GitCommandError as exc:
            raise GitError(f"git failed: {exc.stderr.strip() or exc}", details={"command": str(exc.command)}) from exc
        return self._info(self.repo.head.commit, with_files=True)

    def status(self) -> list[FileStatus]:
        out = self.repo.git.status("--porcelain=v1", "-z", "--untracked-files=all")
        entries: list[FileStatus] = []
        records = iter(out.split("\0"))
        for record in records:
            if len(record) < 4:
                continue
            entries.append(FileStatus(path=record[3:], index=record[0], worktree=record[1]))
            if record[0] in "RC":
                next(records, None)  # a rename is followed by its source path
        return entries

    def log(self, limit: int = 50) -> list[CommitInfo]:
        if not self.repo.head.is_valid():
            return []
        return [self._info(commit) for commit in self.repo.iter_commits(max_count=limit)]

    def head(self) -> CommitInfo:
        """The latest commit, with the files it changed."""
        return self._info(self.repo.head.commit, with_files=True)

    def is_lfs_pointer(self, relative: str, rev: str = "HEAD") -> bool:
        """Whether the committed blob at `relative` is an LFS pointer rather than the media."""
        blob: str = self.repo.git.cat_file("-p", f"{rev}:{relative}")
        return blob.startswith("version https://git-lfs.github.com/spec/v1")

    @staticmethod
    def _info(commit: git.Commit, *, with_files: bool = False) -> CommitInfo:
        # `stats` runs a diff per commit: only worth it for the commit just made.
        files = sorted(str(path) for path in commit.stats.files) if with_files else []
        return CommitInfo(
            sha=commit.hexsha,
            message=str(commit.message).strip(),
            author=f"{commit.author.name} <{commit.author.email}>",
            date=commit.committed_datetime,
            files=files,
        )


def _has_identity(repo: git.Repo) -> bool:
    reader = repo.config_reader()
    return bool(reader.get_value("user", "name", "")) and bool(reader.get_value("user", "email", ""))
