"""Graph templates: the bundled ones (`workspace_templates/graphs/`, read-only) and the
workspace's own. A template is a workflow plus `{name, description, version, parameters,
requires}` (docs/architecture.md §3). The workspace's templates and who saved each are kept by
a `TemplateRecords` store: one JSON file each in `<workspace>/Library/Pipeline_Templates/`
(`TemplateFiles`, the default) or, with AUTEUR_DATABASE_URL, PostgreSQL
(`canvas_server.db.templates.PgTemplates`), which every server replica shares."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, Field

import workspace_templates
from nodes.sdk import AuteurError, NodeRegistry, atomic_write_text
from nodes.sdk.atomic import folder_locked

from ..graph.template import Requirement

BUILTIN_DIR = workspace_templates.ROOT / "graphs"
AUTHORS_FILE = ".authors.json"  # template id -> principal that first saved it
_SLUG = re.compile(r"[\W_]+")  # Unicode-aware: "Scène d'été" -> "scène-d-été", "夜の街" stays
_SLUG_BYTES = 200  # a file name (`<id>.json`) must stay under the 255-byte limit


class TemplateNotFoundError(AuteurError):
    code = "template_not_found"


class TemplateInvalidError(AuteurError):
    code = "template_invalid"


class TemplateSummary(BaseModel):
    id: str
    name: str
    description: str = ""
    version: str = ""
    source: str = Field(description="builtin (bundled, read-only) or workspace")
    parameters: list[Any] = Field(default_factory=list)
    requires: list[Any] = Field(default_factory=list)


def slugify(name: str) -> str:
    """The id of a template name: its letters and digits (any script), lower case, joined by `-`."""
    slug = _SLUG.sub("-", unicodedata.normalize("NFC", name).casefold()).strip("-")
    slug = slug.encode("utf-8")[:_SLUG_BYTES].decode("utf-8", "ignore").strip("-")
    return slug or "template"


class TemplateExistsError(AuteurError):
    code = "template_exists"


class VersionMismatch(BaseModel):
    type: str
    required: str
    installed: str


class RequirementsReport(BaseModel):
    """What a template needs that this server lacks; `ok` unless a node type is missing."""

    missing: list[Requirement]
    version_mismatch: list[VersionMismatch]
    ok: bool


def requirements_report(data: dict[str, Any], registry: NodeRegistry) -> RequirementsReport:
    """Which required node types are missing here, or present at another version."""
    missing, mismatched = [], []
    for requirement in data.get("requires") or []:
        if not isinstance(requirement, dict) or "type" not in requirement:
            continue
        spec = registry.spec(str(requirement["type"]))
        version = requirement.get("version")
        if spec is None:
            missing.append(Requirement(type=str(requirement["type"]), version=None if version is None else str(version)))
        elif version and str(version) != spec.version:
            mismatched.append(VersionMismatch(type=spec.type, required=str(version), installed=spec.version))
    return RequirementsReport(missing=missing, version_mismatch=mismatched, ok=not missing)


class TemplateRecords(Protocol):
    """Where the workspace's templates are kept, by id, with the principal who first saved each."""

    def all(self) -> list[tuple[str, dict[str, Any]]]:
        """Every readable template (id, document), by id; an unreadable one is left out."""
        ...

    def get(self, template_id: str) -> dict[str, Any] | None:
        """The template's document, None when there is none (TemplateInvalidError: unreadable)."""
        ...

    def put(self, template_id: str, data: dict[str, Any], author: str | None) -> None:
        """Write (or replace) a template whole; its author is the first saver's and stays."""
        ...

    def author(self, template_id: str) -> str | None:
        """Who first saved the template (None: nobody, or saved before authors were kept)."""
        ...


class TemplateFiles:
    """The templates as files in one folder (`<id>.json`) and their authors in `AUTHORS_FILE`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def all(self) -> list[tuple[str, dict[str, Any]]]:
        found = []
        for path in _template_files(self.folder):
            try:
                found.append((path.stem, _read(path)))
            except TemplateInvalidError:
                continue  # a broken file is reported when it is fetched, not in the list
        return found

    def get(self, template_id: str) -> dict[str, Any] | None:
        # Matched among the folder's files, never joined to it: an id from a request is no path.
        path = next((path for path in _template_files(self.folder) if path.stem == template_id), None)
        return _read(path) if path is not None else None

    def put(self, template_id: str, data: dict[str, Any], author: str | None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.folder / f"{template_id}.json", json.dumps(data, indent=2))
        if author is not None:
            # Read and written under the folder's lock: two saves at once (two requests, or two
            # servers on one workspace) each keep their author, and only the first saver is one.
            with folder_locked(self.folder):
                if self.author(template_id) is None:
                    authors = {**self._authors(), template_id: author}
                    atomic_write_text(self.folder / AUTHORS_FILE, json.dumps(authors, indent=2))

    def author(self, template_id: str) -> str | None:
        return self._authors().get(template_id)

    def _authors(self) -> dict[str, str]:
        try:
            raw = json.loads((self.folder / AUTHORS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(key): str(value) for key, value in raw.items()} if isinstance(raw, dict) else {}


def _template_files(folder: Path) -> list[Path]:
    # Dot files are the store's own records (AUTHORS_FILE), never templates.
    return sorted(path for path in folder.glob("*.json") if not path.name.startswith(".")) if folder.is_dir() else []


class TemplateStore:
    """The bundled templates (read-only files) and the workspace's (`records`; a folder means
    `TemplateFiles` there); a workspace template of a bundled one's id is the one used."""

    def __init__(self, records: TemplateRecords | Path, builtin_dir: Path = BUILTIN_DIR) -> None:
        self.records: TemplateRecords = TemplateFiles(records) if isinstance(records, Path) else records
        self.builtin_dir = builtin_dir

    def list(self) -> list[TemplateSummary]:
        summaries = []
        for path in _template_files(self.builtin_dir):
            try:
                summaries.append(_summary(path.stem, "builtin", _read(path)))
            except TemplateInvalidError:
                continue
        summaries.extend(_summary(template_id, "workspace", data) for template_id, data in self.records.all())
        return summaries

    def get(self, template_id: str) -> tuple[TemplateSummary, dict[str, Any]]:
        data = self.records.get(template_id)
        if data is not None:  # the workspace's copy wins over builtin
            return _summary(template_id, "workspace", data), data
        for path in _template_files(self.builtin_dir):
            if path.stem == template_id:
                data = _read(path)
                return _summary(path.stem, "builtin", data), data
        raise TemplateNotFoundError(f"no template {template_id!r}", details={"id": template_id})

    def template_id(self, data: dict[str, Any]) -> str:
        """The id a template is saved under: the slug of its name."""
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise TemplateInvalidError("a template needs a non-empty `name`")
        return slugify(name)

    def is_builtin(self, template_id: str) -> bool:
        """Whether the id is (or would shadow) a bundled template's."""
        return any(slugify(path.stem) == slugify(template_id) for path in self.builtin_dir.glob("*.json"))

    def author(self, template_id: str) -> str | None:
        """Who saved a workspace template (None: nobody yet, or saved before authors were kept)."""
        return self.records.author(template_id)

    def save(self, data: dict[str, Any], author: str | None = None) -> TemplateSummary:
        """Validated by the caller; written whole (never half a template). Saving under a name
        replaces that template; a different name with the same id is a 409."""
        template_id = self.template_id(data)
        self._check_same_template(template_id, str(data["name"]))
        self.records.put(template_id, data, author)
        return _summary(template_id, "workspace", data)

    def _check_same_template(self, template_id: str, name: str) -> None:
        try:
            stored = self.records.get(template_id)
        except TemplateInvalidError:
            return  # a damaged template under this id: replacing it is how it gets repaired
        existing = stored.get("name") if stored is not None else None
        if existing is not None and str(existing).strip() != name.strip():
            raise TemplateExistsError(
                f"template {existing!r} already has the id {template_id!r} that {name!r} would take; "
                "choose a name that differs in its letters or digits",
                details={"id": template_id, "existing": existing, "name": name},
            )


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateInvalidError(f"template {path.name} cannot be read: {exc}") from exc
    return parse_template(text, path.name)


def parse_template(text: str, name: str) -> dict[str, Any]:
    """A stored template's document (TemplateInvalidError when it is not a JSON object)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise TemplateInvalidError(f"template {name} cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise TemplateInvalidError(f"template {name} is not a JSON object")
    return data


def _summary(template_id: str, source: str, data: dict[str, Any]) -> TemplateSummary:
    return TemplateSummary(
        id=template_id, name=str(data.get("name") or template_id), description=str(data.get("description") or ""),
        version=str(data.get("version") or ""), source=source,
        parameters=list(data.get("parameters") or []), requires=list(data.get("requires") or []),
    )
