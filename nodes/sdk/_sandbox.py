"""The one path resolver for every path that comes from a user or a graph."""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from ._errors import PathForbiddenError
from ._media import MediaRef, sha256_file

_ENCODED_TRAVERSAL = re.compile(r"%(2e|2f|5c|00|25)", re.IGNORECASE)  # %25: double encoding
_DRIVE_PREFIX = re.compile(r"^[A-Za-z]:")  # `C:/Windows`: a Windows absolute path
_NAME_MAX = 255  # bytes in one file name (NAME_MAX): longer ones fail with ENAMETOOLONG


class PathSandbox:
    """Resolves paths inside a set of allowed roots.

    Relative paths are taken from the first root (the run's project, or its principal's
    scratch folder). Refused: NUL bytes, backslashes, percent-encoded dots/separators, `..`
    components, absolute paths outside every root, symlinks that escape, device files, and
    hidden names: a path whose part below its root starts with `.` (`.auteur`, `.git`,
    `.trash`) is never reachable, whether named or reached through a symlink.
    """

    def __init__(self, roots: Sequence[Path | str]) -> None:
        if not roots:
            raise ValueError("a sandbox needs at least one root")
        self._texts = roots  # made Paths on first use: most nodes never touch a path
        self._paths: list[Path] | None = None
        self._roots: list[Path] | None = None

    @property
    def _given(self) -> list[Path]:
        if self._paths is None:
            self._paths = [Path(root) for root in self._texts]
        return self._paths

    @property
    def roots(self) -> list[Path]:
        """The roots, symlink-resolved on first use."""
        if self._roots is None:
            self._roots = [root.resolve() for root in self._given]
        return self._roots

    @property
    def base(self) -> Path:
        return self.roots[0]

    def resolve(self, user_path: str | Path, *, must_exist: bool = False) -> Path:
        """The absolute, symlink-free path for `user_path`, or PathForbiddenError."""
        text = str(user_path)
        self._check_text(text)
        candidate = Path(text)
        return self._resolved(candidate if candidate.is_absolute() else self.base / candidate, text, must_exist)

    def _resolved(self, joined: Path, text: str, must_exist: bool) -> Path:
        """`joined` resolved and checked; errors name `text` (what the caller gave)."""
        resolved = joined.resolve()
        inside = [root for root in self.roots if resolved == root or resolved.is_relative_to(root)]
        if not inside:
            raise PathForbiddenError(
                f"path {text!r} is outside the project; use a path relative to the project",
                details={"path": text},
            )
        if all(_hidden(resolved.relative_to(root)) for root in inside):
            raise PathForbiddenError(
                f"path {text!r} names a hidden file or folder; those are never reachable",
                details={"path": text},
            )
        self._check_file_kind(text, resolved, must_exist)
        return resolved

    def resolve_media(self, ref: MediaRef, workspace: Path, *, read: bool = True) -> Path:
        """The file a MediaRef names (workspace-relative), checked where it is read: inside
        the roots like any path, a regular file, and still the content its sha256 says, so a
        ref typed by hand or edited in a stored document reads nothing it did not come from.
        With `read=False`, only its place is checked (the runner, before a node runs)."""
        self._check_text(ref.path)
        path = self._resolved(Path(workspace).resolve() / ref.path, ref.path, must_exist=read)
        if not read:
            return path
        if not path.is_file():
            raise PathForbiddenError(f"media {ref.path!r} is not a file", details={"path": ref.path})
        if _digest(path) != ref.sha256:
            raise PathForbiddenError(
                f"media {ref.path!r} does not match its sha256 (it changed, or the reference "
                "was not made by a node); load it again",
                details={"path": ref.path},
            )
        return path

    def contain(self, path: Path) -> Path:
        """`path`, built by the server itself (a lock, an upload, a thumbnail, a saved file),
        refused when a symlink on the way leads out of every root: every server-side write or
        listing under a project goes through it, so a symlinked folder (a Git checkout can
        make one) never takes a write outside. Returns `path` as given."""
        resolved = Path(path).resolve()
        if not any(resolved == root or resolved.is_relative_to(root) for root in self.roots):
            shown = self._shown(Path(path))
            raise PathForbiddenError(
                f"{shown!r} leads outside the project through a symbolic link", details={"path": shown}
            )
        return Path(path)

    def _shown(self, path: Path) -> str:
        """`path` as a client may see it: relative to the first root it is under, unresolved."""
        for given in self._given:
            if path.is_relative_to(given):
                return path.relative_to(given).as_posix()
        return path.name

    def relative(self, path: Path) -> str:
        """`path` relative to the first root that contains it (POSIX separators)."""
        resolved = path.resolve()
        for root in self.roots:
            if resolved == root or resolved.is_relative_to(root):
                return str(PurePosixPath(*resolved.relative_to(root).parts)) or "."
        raise PathForbiddenError(f"path {str(path)!r} is outside the sandbox")

    @staticmethod
    def check_text(text: str) -> None:
        """Refuse a path by its text alone (NUL, backslash, encoded dots, `..`), no roots needed."""
        PathSandbox._check_text(text)

    @staticmethod
    def _check_text(text: str) -> None:
        if not text:
            raise PathForbiddenError("empty path")
        if "\x00" in text:
            raise PathForbiddenError("path contains a NUL byte", details={"path": repr(text)})
        if "\\" in text:
            raise PathForbiddenError(
                f"path {text!r} uses backslashes; use '/' separators", details={"path": text}
            )
        if _DRIVE_PREFIX.match(text):
            raise PathForbiddenError(
                f"path {text!r} names a Windows drive; use a path relative to the project",
                details={"path": text},
            )
        if _ENCODED_TRAVERSAL.search(text):
            raise PathForbiddenError(
                f"path {text!r} contains percent-encoded dots or separators",
                details={"path": text},
            )
        if any(len(part.encode("utf-8", "surrogatepass")) > _NAME_MAX for part in PurePosixPath(text).parts):
            raise PathForbiddenError(
                f"path {text[:80]!r}… has a component longer than {_NAME_MAX} bytes, more than a file system allows",
                code="path_too_long", details={"limit_bytes": _NAME_MAX},
            )
        if ".." in PurePosixPath(text).parts:
            raise PathForbiddenError(
                f"path {text!r} contains '..'; parent references are not allowed",
                details={"path": text},
            )

    @staticmethod
    def _check_file_kind(text: str, resolved: Path, must_exist: bool) -> None:
        if not resolved.exists():
            if must_exist:
                raise FileNotFoundError(f"no such file: {text}")
            return
        mode = resolved.stat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise PathForbiddenError(
                f"path {text!r} is not a regular file or folder", details={"path": text}
            )


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _digest(path: Path) -> str:
    """sha256 of a file, remembered per file identity (device, inode, size, mtime) so a
    file read by many nodes of a run is hashed once per process."""
    info = os.stat(path)
    return _digest_of(str(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _digest_of(path: str, device: int, inode: int, size: int, mtime_ns: int) -> str:
    return sha256_file(Path(path))
