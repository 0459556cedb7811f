"""Creative documents API: treatments, screenplays, beat sheets and shot lists."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from ...workspace import documents
from ...workspace.documents import Document
from .projects import Store

router = APIRouter(prefix="/api/projects/{project}/documents", tags=["documents"])


class NewDocument(BaseModel):
    type: str = Field(description="treatment, screenplay, beat_sheet or shot_list")
    title: str = Field(min_length=1, max_length=200)


class DocumentText(BaseModel):
    content: str


class DocumentList(BaseModel):
    items: list[Document] = Field(description="Without their content")


@router.get("")
def list_documents(project: str, store: Store) -> DocumentList:
    return DocumentList(items=documents.list_documents(store.root(project)))


@router.post("", status_code=201)
def create_document(project: str, request: NewDocument, store: Store) -> Document:
    return documents.create(store.root(project), request.type, request.title)


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
) -> Document:
    return documents.update(store.root(project), path, body.content)
