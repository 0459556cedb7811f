"""Creative documents API: treatments, screenplays, beat sheets and shot lists."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from ...request_body import RequestBody
from ...workspace import documents
from ...workspace.documents import Document
from ...workspace.errors import GitError
from ...workspace.gitrepo import CommitInfo
from ...workspace.store import ProjectStore
from ..openapi import ErrorBody
from .projects import Store

router = APIRouter(prefix="/api/projects/{project}/documents", tags=["documents"])


class NewDocument(RequestBody):
    type: str = Field(description="treatment, screenplay, beat_sheet or shot_list")
    title: str = Field(min_length=1, max_length=200)


MAX_TEXT = 2_000_000  # characters: a feature screenplay is ~200 kB


class DocumentText(RequestBody):
    content: str = Field(max_length=MAX_TEXT)
    message: str | None = Field(None, max_length=500, description="The commit message of this save (default: 'Save <path>')")


class NewScript(RequestBody):
    filename: str = Field(min_length=1, max_length=255, description="The uploaded file's name: .fountain, .fdx or .txt")
    content: str = Field(max_length=MAX_TEXT, description="Its text (UTF-8)")


class SavedDocument(Document):
    commit: CommitInfo | None = Field(description="The Git commit that keeps this version (None: nothing changed, or the project has no Git)")


def _committed(store: ProjectStore, project: str, document: Document, message: str) -> SavedDocument:
    """Every save of a creative document is a commit of that one file, so its history is the
    project's Git log."""
    try:
        commit: CommitInfo | None = store.repo(project).commit(message, [document.path])
    except GitError:
        commit = None  # unchanged text, or a project made where git is missing: the file is saved
    return SavedDocument(**document.model_dump(), commit=commit)


class DocumentList(BaseModel):
    items: list[Document] = Field(description="Without their content")


@router.get("")
def list_documents(project: str, store: Store) -> DocumentList:
    return DocumentList(items=documents.list_documents(store.root(project)))


@router.post("", status_code=201)
def create_document(project: str, request: NewDocument, store: Store) -> Document:
    return documents.create(store.root(project), request.type, request.title)


@router.post("/scripts", status_code=201, responses={
    415: {"model": ErrorBody, "description": "Not a .fountain, .fdx or .txt file"},
    409: {"model": ErrorBody, "description": "A script of that name exists"},
})
def add_script(project: str, request: NewScript, store: Store) -> SavedDocument:
    """Bring a screenplay into 02_Source_Creative/Scripts (the editor reads the picked or dropped
    file as text), committed to the project's Git."""
    document = documents.add_script(store.root(project), request.filename, request.content)
    return _committed(store, project, document, f"Add script {document.path}")


@router.get("/content")
def read_document(
    project: str,
    store: Store,
    path: str = Query(description="Document path relative to the project"),
) -> Document:
    return documents.read(store.root(project), path)


@router.put("/content")
def update_document(
    project: str,
    body: DocumentText,
    store: Store,
    path: str = Query(description="Document path relative to the project"),
) -> SavedDocument:
    """Replace a document's text and commit it (saves keep history in the project's Git)."""
    document = documents.update(store.root(project), path, body.content)
    return _committed(store, project, document, body.message or f"Save {document.path}")
