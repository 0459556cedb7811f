"""Reading `workspace_templates/`: the project skeleton, narrative structures, document types."""

from __future__ import annotations

import json
import shutil
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

import workspace_templates
from nodes.sdk import layout
from nodes.sdk.preproduction import shot_id_at

from .errors import UnknownTemplateError
from .manifest import Chapter, EmotionalBeat, Narrative, Scene, Shot

TEMPLATES_ROOT = workspace_templates.ROOT
# Stored without the leading dot so they do not act on the Auteur repository itself.
_DOTFILES = {"gitignore": ".gitignore", "gitattributes": ".gitattributes"}


class StructureTemplate(BaseModel):
    """A narrative structure: its chapters (acts) and emotional beats."""

    id: str
    name: str
    description: str = ""
    chapters: list[str]
    beats: list[EmotionalBeat] = Field(default_factory=list)

    def narrative(self) -> Narrative:
        """A fresh narrative: one chapter per act, each with one scene holding one placeholder
        shot (with its stable id, the one a Shot node placed there makes). A screenplay's
        breakdown replaces the acts no one has worked in (`preproduction.drop_placeholder_acts`)."""
        chapters = [
            Chapter(number=i, title=title, scenes=[Scene(number=1, shots=[Shot(number=1, id=shot_id_at(i, 1, 1))])])
            for i, title in enumerate(self.chapters, start=1)
        ]
        return Narrative(structure=self.id, chapters=chapters, emotional_beats=list(self.beats))


class DocumentType(BaseModel):
    title: str
    folder: str
    extension: str
    template: str
    suffix: str = Field("", description="Ends the file stem; tells types sharing a folder apart")


def _structure_dirs(library: Path | None) -> list[Path]:
    dirs = [TEMPLATES_ROOT / "structures"]
    if library is not None:
        dirs.insert(0, library / layout.NARRATIVE_TEMPLATES)  # the user's own templates win
    return dirs


def structures(library: Path | None = None) -> dict[str, StructureTemplate]:
    found: dict[str, StructureTemplate] = {}
    for folder in reversed(_structure_dirs(library)):
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            template = StructureTemplate.model_validate_json(path.read_text(encoding="utf-8"))
            found[template.id] = template
    return found


def structure(name: str, library: Path | None = None) -> StructureTemplate:
    known = structures(library)
    if name not in known:
        raise UnknownTemplateError("structure", name, sorted(known))
    return known[name]


@lru_cache(maxsize=1)
def document_types() -> dict[str, DocumentType]:
    raw = json.loads((TEMPLATES_ROOT / "documents" / "types.json").read_text(encoding="utf-8"))
    return {key: DocumentType.model_validate(value) for key, value in raw.items()}


def document_type(name: str) -> DocumentType:
    types = document_types()
    if name not in types:
        raise UnknownTemplateError("document_type", name, sorted(types))
    return types[name]


def document_body(kind: DocumentType, **values: str) -> str:
    text = (TEMPLATES_ROOT / "documents" / kind.template).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _copy_tree(source: Path, target: Path) -> None:
    for item in sorted(source.rglob("*")):
        relative = item.relative_to(source)
        destination = target / relative.parent / _DOTFILES.get(item.name, item.name)
        if item.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item, destination)


def copy_project_skeleton(target: Path) -> None:
    """Lay out the numbered folders, `.gitignore` and `.gitattributes` in `target`."""
    _copy_tree(TEMPLATES_ROOT / "project", target)


def ensure_library(workspace: Path) -> Path:
    """Create the workspace `Library/` (never overwriting the user's files)."""
    library = workspace / layout.LIBRARY_DIR
    source = TEMPLATES_ROOT / "library"
    for item in sorted(source.rglob("*")):
        destination = library / item.relative_to(source)
        if item.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        elif not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item, destination)
    for path in sorted((TEMPLATES_ROOT / "structures").glob("*.json")):
        if not (library / layout.NARRATIVE_TEMPLATES / path.name).exists():
            shutil.copyfile(path, library / layout.NARRATIVE_TEMPLATES / path.name)
    return library


def skeleton_ignores(relative: str) -> bool:
    """Whether a project-relative path lies in a git-ignored folder (05_Cache, 06_Exports)."""
    return relative.split("/", 1)[0] in layout.GIT_IGNORED_DIRS
