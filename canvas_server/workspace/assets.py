"""Project assets: streamed uploads with a size limit and content sniffing, listing, delete."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import filetype
from pydantic import BaseModel

from nodes.sdk import PathForbiddenError, PathSandbox, layout, sha256_file

from .errors import (
    ItemNotFoundError,
    UnknownTemplateError,
    UnsupportedMediaTypeError,
)
from .manifest import AssetEntry
from .models3d import MODEL_MIMES, ModelInvalidError, sniff_model
from .store import ProjectStore
from .thumbnails import thumbnail_path
from .uploads import StagedFile

_VISUAL = ("image", "video")
# Which sniffed media families each category accepts.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "Characters": _VISUAL,
    "Locations": _VISUAL,
    "Objects": _VISUAL,
    "Styles": _VISUAL,
    "Music": ("audio",),
    "3D": ("model",),  # glTF 2.0 (.glb, .gltf): workspace/models3d.py
}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class Asset(BaseModel):
    path: str
    category: str
    name: str
    mime: str
    size: int
    thumbnail: str | None = None


def category_dir(project_root: Path, category: str) -> Path:
    if category not in CATEGORIES:
        raise UnknownTemplateError("asset_category", category, list(CATEGORIES))
    return project_root / layout.ASSETS_DIR / category


def safe_stem(filename: str) -> str:
    """A file stem that is safe on every OS; the client's name is only a hint."""
    stem = Path(filename.replace("\\", "/")).name.rsplit(".", 1)[0]
    return _UNSAFE.sub("_", stem).strip("._")[:80] or "asset"


def media_family(mime: str) -> str:
    return mime.split("/", 1)[0]


class AssetUpload(StagedFile):
    """An asset upload, staged under `01_Assets/`; `finish(category)` sniffs the content and
    links it into place."""

    def __init__(self, project_root: Path, filename: str, limit_bytes: int) -> None:
        super().__init__(PathSandbox([project_root]).contain(project_root / layout.ASSETS_DIR), limit_bytes)
        self.project_root = project_root
        self.stem = safe_stem(filename)

    def finish(self, category: str) -> Asset:
        self.close()
        try:
            folder = PathSandbox([self.project_root]).contain(category_dir(self.project_root, category))
        except (UnknownTemplateError, PathForbiddenError):
            self.abort()
            raise
        kind = self._sniff()
        accepted = CATEGORIES[category]
        if kind is None or media_family(kind[0]) not in accepted:
            self.abort()
            found = kind[0] if kind else "unrecognised content"
            # The categories that would take it, so a client can offer them (the one list: CATEGORIES).
            takers = [name for name, families in CATEGORIES.items() if kind and media_family(kind[0]) in families]
            raise UnsupportedMediaTypeError(
                f"{category} accepts {' or '.join(accepted)} files; this upload is {found}",
                details={"category": category, "detected": kind[0] if kind else None, "accepted_by": takers},
            )
        folder.mkdir(parents=True, exist_ok=True)
        target = self._link_into_place(folder, kind[1])
        return describe(self.project_root, target, kind[0])

    def _sniff(self) -> tuple[str, str] | None:
        """(mime, extension) from the content: a glTF model, else what `filetype` recognises."""
        try:
            model = sniff_model(self.temp)
        except ModelInvalidError:
            self.abort()
            raise
        if model is not None:
            return model
        kind = filetype.guess(self.head)
        return (kind.mime, kind.extension) if kind is not None else None

    def _link_into_place(self, folder: Path, extension: str) -> Path:
        """Give the upload a free name without ever replacing an existing asset."""
        for index in range(1, 10_000):
            suffix = "" if index == 1 else f"_{index}"
            target = folder / f"{self.stem}{suffix}.{extension}"
            try:
                os.link(self.temp, target)
            except FileExistsError:
                continue
            self.temp.unlink()
            return target
        self.abort()
        raise UnsupportedMediaTypeError("no free file name for this upload", code="asset_name_exhausted")


def describe(project_root: Path, path: Path, mime: str | None = None) -> Asset:
    relative = path.relative_to(project_root).as_posix()
    if mime is None:
        kind = filetype.guess(str(path))
        mime = MODEL_MIMES.get(path.suffix.lower()) or (kind.mime if kind else "application/octet-stream")
    thumb = thumbnail_path(project_root, relative)
    return Asset(
        path=relative,
        category=path.parent.name,
        name=path.name,
        mime=mime,
        size=path.stat().st_size,
        thumbnail=thumb.relative_to(project_root).as_posix() if thumb.is_file() else None,
    )


def list_assets(project_root: Path, category: str | None = None) -> list[Asset]:
    """The assets of the categories, never a symlink (a listing reports the project's own
    files, not what a link points at) nor a folder that a symlink leads out of the project."""
    categories = [category] if category else list(CATEGORIES)
    found: list[Asset] = []
    sandbox = PathSandbox([project_root])
    for name in categories:
        folder = category_dir(project_root, name)
        try:
            sandbox.contain(folder)
        except PathForbiddenError:
            continue
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if not path.is_symlink() and path.is_file() and not path.name.startswith("."):
                found.append(describe(project_root, path))
    return found


def resolve_asset(project_root: Path, relative: str) -> Path:
    """An asset path from a client, through the sandbox, and only inside `01_Assets/`."""
    path = PathSandbox([project_root]).resolve(relative)
    if not path.is_relative_to(project_root.resolve() / layout.ASSETS_DIR) or not path.is_file():
        raise ItemNotFoundError("asset", relative)
    return path


def delete_asset(project_root: Path, relative: str, trash_dir: Path) -> Path:
    """Move an asset to the workspace trash (recoverable) and drop its thumbnail."""
    path = resolve_asset(project_root, relative)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = trash_dir / f"{project_root.name}.assets" / f"{stamp}-{path.name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(path, target)
    thumbnail_path(project_root, relative).unlink(missing_ok=True)
    return target


def record_asset(store: ProjectStore, project: str, asset: Asset) -> None:
    """List an asset in project.json (through the store, under the project's edit lock)."""
    root = store.root(project)
    entry = AssetEntry(
        path=asset.path, category=asset.category, name=asset.name, mime=asset.mime, size=asset.size,
        sha256=sha256_file(root / asset.path), added=datetime.now(UTC), thumbnail=asset.thumbnail,
    )
    with store.editing(project) as manifest:
        manifest.assets = [item for item in manifest.assets if item.path != asset.path] + [entry]


def forget_asset(store: ProjectStore, project: str, path: str) -> None:
    """Drop an asset from project.json (through the store, under the project's edit lock)."""
    with store.editing(project) as manifest:
        manifest.assets = [entry for entry in manifest.assets if entry.path != path]
