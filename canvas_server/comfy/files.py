"""ComfyUI's `input` / `output` / `temp` folders, mapped onto sandboxed folders of the
workspace, and the `{filename, subfolder, type}` triple that names a file in them.

- `input`: `Library/Uploads` in the caller's own scratch folder (`Scratch/<name>-<hash>/`,
  where `/upload/image` writes; a project-less prompt names an upload to `media.load` as
  `Library/Uploads/<subfolder>/<name>`, relative to that folder like every path of its run);
- `output`: the workspace itself, where node outputs and takes live (workspace-relative
  `MediaRef` paths), except hidden folders other than `.auteur/outputs`: server state, tokens
  and git internals are never served;
- `temp`: `<workspace>/.auteur/comfy/temp`.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Literal

from function_runners.execute import principal_scratch
from nodes.sdk import AuteurError, PathForbiddenError, PathSandbox, layout

FolderType = Literal["input", "output", "temp"]
FOLDER_TYPES: tuple[FolderType, ...] = ("input", "output", "temp")
INPUT_DIR = PurePosixPath(layout.UPLOADS_DIR)
TEMP_DIR = PurePosixPath(".auteur/comfy/temp")
SERVED_HIDDEN = PurePosixPath(".auteur/outputs")


class FolderTypeError(AuteurError):
    code = "bad_request"


class ComfyFileNotFoundError(AuteurError):
    code = "file_not_found"


def folder_root(workspace: Path, kind: str, principal: str) -> Path:
    """The folder behind a ComfyUI folder type for `principal` (created on first use)."""
    if kind == "input":
        root = principal_scratch(workspace, principal) / INPUT_DIR
    elif kind == "temp":
        root = workspace / TEMP_DIR
    elif kind == "output":
        root = workspace
    else:
        raise FolderTypeError(f"type must be one of {', '.join(FOLDER_TYPES)}, not {kind!r}",
                              details={"type": kind})
    root.mkdir(parents=True, exist_ok=True)
    return root


def _relative_text(filename: str, subfolder: str) -> str:
    if not filename or "/" in filename or filename in {".", ".."}:
        raise PathForbiddenError(f"filename {filename!r} must be a plain file name",
                                 details={"filename": filename})
    sub = subfolder.strip("/")
    return f"{sub}/{filename}" if sub else filename


def locate(workspace: Path, filename: str, subfolder: str, kind: str, principal: str) -> Path:
    """The file `/view` serves: inside its folder, never a hidden server file."""
    root = folder_root(workspace, kind, principal)
    text = _relative_text(filename, subfolder)
    # Hidden names are unreachable from a root; the engine's outputs are a root of their own.
    served = [root, root / SERVED_HIDDEN] if kind == "output" else [root]
    try:
        path = PathSandbox(served).resolve(text, must_exist=True)
    except FileNotFoundError:
        raise ComfyFileNotFoundError(f"no {kind} file {text!r}", details={"filename": filename,
                                     "subfolder": subfolder, "type": kind}) from None
    if not path.is_file():
        raise ComfyFileNotFoundError(f"{text!r} is not a file", details={"filename": filename})
    return path


def upload_target(workspace: Path, filename: str, subfolder: str, kind: str, principal: str) -> Path:
    """Where an upload named `filename` would go (not yet de-duplicated)."""
    if kind == "output":
        raise FolderTypeError("uploads go to the input or temp folder", details={"type": kind})
    root = folder_root(workspace, kind, principal)
    name = PurePosixPath(filename.replace("\\", "/")).name
    target = PathSandbox([root]).resolve(_relative_text(name, subfolder))
    _check_folder(target.parent, subfolder)
    return target


def _check_folder(folder: Path, subfolder: str) -> None:
    """The nearest existing folder on the way to `folder` must be one, not a file."""
    for parent in (folder, *folder.parents):
        if parent.exists():
            if not parent.is_dir():
                raise FolderTypeError(f"subfolder {subfolder!r} names a file, not a folder",
                                      details={"subfolder": subfolder})
            return


def file_entry(workspace: Path, workspace_relative: str) -> dict[str, str]:
    """`{filename, subfolder, type}` for a workspace-relative path (a MediaRef's)."""
    path = PurePosixPath(workspace_relative)
    in_scratch = PurePosixPath(*path.parts[2:])
    if path.parts[:1] == (layout.SCRATCH_DIR,) and in_scratch.parts[:len(INPUT_DIR.parts)] == INPUT_DIR.parts:
        path = in_scratch  # an upload in its principal's input folder; other scratch files are outputs
    for kind, base in (("input", INPUT_DIR), ("temp", TEMP_DIR)):
        if path.parts[: len(base.parts)] == base.parts:
            sub = PurePosixPath(*path.parts[len(base.parts):-1]) if len(path.parts) > len(base.parts) + 1 else None
            return {"filename": path.name, "subfolder": str(sub) if sub else "", "type": kind}
    parent = str(path.parent)
    return {"filename": path.name, "subfolder": "" if parent == "." else parent, "type": "output"}


def output_key_of(workspace: Path, path: Path) -> str | None:
    """The engine output folder (`.auteur/outputs/<xx>/<key>/…`) a served file lies in, if any
    (`path` resolved, or lexically normalized when it may not exist)."""
    target = path.resolve() if path.exists() else Path(os.path.normpath(path.absolute()))
    try:
        parts = target.relative_to((workspace / SERVED_HIDDEN).resolve()).parts
    except ValueError:
        return None
    # A kept staging folder (`<key>~<token>`: another execution had taken the key's folder)
    # holds that key's files too.
    return parts[1].split("~", 1)[0] if len(parts) > 2 else ""


def scratch_of(workspace: Path, path: Path) -> str | None:
    """The principal scratch folder (its name) a served file lies in, if any."""
    target = path.resolve() if path.exists() else Path(os.path.normpath(path.absolute()))
    try:
        parts = target.relative_to((workspace / layout.SCRATCH_DIR).resolve()).parts
    except ValueError:
        return None
    return parts[0] if parts else ""


def project_of(workspace: Path, path: Path) -> str | None:
    """The project a served file lies in (`Projects/<name>/…`), if any (`path` resolved, or
    lexically normalized when it may not exist)."""
    target = path.resolve() if path.exists() else Path(os.path.normpath(path.absolute()))
    try:
        parts = target.relative_to((workspace / layout.PROJECTS_DIR).resolve()).parts
    except ValueError:
        return None
    return parts[0] if len(parts) > 1 else None
