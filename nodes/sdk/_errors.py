"""The error tree shared by every layer.

AuteurError
 ├── NodeDefinitionError   a node class is malformed (raised at registration)
 ├── NodeExecutionError    a node failed while running (carries the node's own error type)
 │    └── MissingDependencyError  a binary or model the node needs is not installed
 ├── NodeCancelledError    the run was cancelled while the node ran
 └── PathForbiddenError    a path escapes the sandbox

Every error carries a stable machine-readable ``code``; the server maps codes to HTTP
statuses and to the JSON error shape, the CLI to exit codes and one-line messages.
"""

from __future__ import annotations

from typing import Any


class AuteurError(Exception):
    """Base of every error Auteur raises on purpose."""

    code: str = "auteur_error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The `{code, message, details}` body used by the API and `--json` output."""
        return {"code": self.code, "message": self.message, "details": self.details}


class NodeDefinitionError(AuteurError):
    """A node class cannot be registered; the message names the class and the problem."""

    code = "node_definition_invalid"

    def __init__(self, cls_name: str, problem: str) -> None:
        super().__init__(f"node class {cls_name}: {problem}", details={"class": cls_name})
        self.cls_name = cls_name
        self.problem = problem


class NodeExecutionError(AuteurError):
    """A node raised while running. `error_type` is the original exception's class name, by
    default this error's own (a pack's `MediaNotFoundError` reports itself)."""

    code = "node_failed"

    def __init__(
        self,
        message: str,
        *,
        error_type: str | None = None,
        code: str | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message, code=code, details=details)
        self.error_type = error_type or type(self).__name__


class MissingDependencyError(NodeExecutionError):
    """A binary or model is missing; the message says how to install or provide it."""

    code = "dependency_missing"


class NodeCancelledError(AuteurError):
    """Raised inside a node (by `RunContext.check_cancelled`) when its run is cancelled."""

    code = "cancelled"


class PathForbiddenError(AuteurError):
    """A user- or graph-supplied path was refused by the sandbox."""

    code = "path_forbidden"
