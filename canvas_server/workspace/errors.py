"""Workspace errors: each carries a stable code the server maps to an HTTP status.

WorkspaceError (AuteurError)
 ├── ProjectNotFoundError        project_not_found           404
 ├── ProjectExistsError          project_exists              409
 ├── NameInvalidError            name_invalid                400
 ├── ManifestError               manifest_invalid / manifest_version_unsupported   500
 ├── UnknownTemplateError        structure_unknown / document_type_unknown / asset_category_unknown   400
 ├── ItemNotFoundError           asset_not_found / document_not_found / take_not_found   404
 ├── UploadTooLargeError         upload_too_large            413
 ├── UnsupportedMediaTypeError   unsupported_media_type      415
 ├── GitError                    git_failed / nothing_to_commit (409)
 └── RepairError (repair.py)     repair_impossible / project_intact   409
"""

from __future__ import annotations

from typing import Any

from nodes.sdk import AuteurError


class WorkspaceError(AuteurError):
    """Base of the workspace layer's errors."""

    code = "workspace_error"


class ProjectNotFoundError(WorkspaceError):
    code = "project_not_found"

    def __init__(self, name_or_id: str) -> None:
        super().__init__(f"no project named or with id {name_or_id!r}", details={"project": name_or_id})


class ProjectExistsError(WorkspaceError):
    code = "project_exists"

    def __init__(self, name: str) -> None:
        super().__init__(f"a project named {name!r} already exists", details={"project": name})


class NameInvalidError(WorkspaceError):
    code = "name_invalid"


class ManifestError(WorkspaceError):
    code = "manifest_invalid"


class UnknownTemplateError(WorkspaceError):
    """A structure, document type or asset category that does not exist."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        super().__init__(
            f"unknown {kind.replace('_', ' ')} {name!r}; use one of {', '.join(known)}",
            code=f"{kind}_unknown",
            details={kind: name, "known": known},
        )


class ItemNotFoundError(WorkspaceError):
    def __init__(self, kind: str, name: str, details: Any = None, message: str | None = None) -> None:
        super().__init__(message or f"no {kind} {name!r}", code=f"{kind}_not_found", details=details or {kind: name})


class UploadTooLargeError(WorkspaceError):
    code = "upload_too_large"

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(
            f"upload exceeds the limit of {limit_bytes // (1024 * 1024)} MiB (AUTEUR_MAX_UPLOAD_MB)",
            details={"limit_bytes": limit_bytes},
        )


class UnsupportedMediaTypeError(WorkspaceError):
    code = "unsupported_media_type"


class GitError(WorkspaceError):
    code = "git_failed"
