"""Creative documents (treatment, screenplay, beat sheet, shot list) under 02_Source_Creative."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel

from nodes.sdk import PathSandbox, atomic_create_text, atomic_write_text, layout

from . import templates
from .errors import ItemNotFoundError, UnsupportedMediaTypeError, WorkspaceError

_SLUG = re.compile(r"[^A-Za-z0-9]+")


class Document(BaseModel):
    path: str
    type: str | None
    title: str
    size: int
    modified: datetime
    content: str | None = None


def _type_of(path: Path) -> str | None:
    """The document type of a file: folder and extension, the most specific suffix wins."""
    matches = [
        (len(kind.suffix), name)
        for name, kind in templates.document_types().items()
        if path.parent.name == kind.folder and path.suffix == kind.extension and path.stem.endswith(kind.suffix)
    ]
    return max(matches)[1] if matches else None


def _describe(root: Path, path: Path, *, content: bool = False) -> Document:
    stat = path.stat()
    return Document(
        path=path.relative_to(root).as_posix(),
        type=_type_of(path),
        title=path.stem.replace("_", " "),
        size=stat.st_size,
        modified=datetime.fromtimestamp(stat.st_mtime, UTC),
        content=path.read_text(encoding="utf-8") if content else None,
    )


def _resolve(root: Path, relative: str) -> Path:
    """A document path from a client: through the sandbox, and only under 02_Source_Creative."""
    path = PathSandbox([root]).resolve(relative)
    if not path.is_relative_to(root.resolve() / layout.SOURCE_DIR) or not path.is_file():
        raise ItemNotFoundError("document", relative)
    return path


def create(root: Path, doc_type: str, title: str) -> Document:
    """A new document from its type's template; never replaces an existing one."""
    kind = templates.document_type(doc_type)
    slug = _SLUG.sub("_", title).strip("_")[:80] or kind.title.replace(" ", "_")
    path = PathSandbox([root]).contain(root / layout.SOURCE_DIR / kind.folder / f"{slug}{kind.suffix}{kind.extension}")
    body = templates.document_body(kind, title=title or kind.title, date=date.today().isoformat())
    return _create_new(root, path, body)


def _create_new(root: Path, path: Path, text: str) -> Document:
    """Write a new document; never replaces an existing one (409 document_exists)."""
    try:
        atomic_create_text(path, text)
    except FileExistsError as exc:
        raise WorkspaceError(
            f"document {path.relative_to(root).as_posix()} already exists",
            code="document_exists", details={"path": path.relative_to(root).as_posix()},
        ) from exc
    return _describe(root, path, content=True)


def add_script(root: Path, filename: str, content: str) -> Document:
    """A screenplay brought in by the user (.fountain, .fdx or .txt) into the Scripts folder,
    under a safe name; never replaces an existing script."""
    name = Path(filename.replace("\\", "/")).name
    suffix = Path(name).suffix.lower()
    if suffix not in layout.SCRIPT_EXTENSIONS:
        raise UnsupportedMediaTypeError(
            f"{name or 'the file'} is not a screenplay: scripts are {', '.join(layout.SCRIPT_EXTENSIONS)} files",
            details={"filename": name, "accepted": list(layout.SCRIPT_EXTENSIONS)},
        )
    stem = _SLUG.sub("_", Path(name).stem).strip("_")[:80] or "Script"
    return _create_new(root, root / layout.SCRIPTS_DIR / f"{stem}{suffix}", content)


def read(root: Path, relative: str) -> Document:
    return _describe(root, _resolve(root, relative), content=True)


def update(root: Path, relative: str, content: str) -> Document:
    """Replace a document's text atomically."""
    path = _resolve(root, relative)
    atomic_write_text(path, content)
    return _describe(root, path, content=True)


def list_documents(root: Path) -> list[Document]:
    base = root / layout.SOURCE_DIR
    return [
        _describe(root, path)
        for path in sorted(base.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    ]
