"""Graph problems: `GraphError` (one validation finding) and the exceptions of the graph layer.

AuteurError
 ├── GraphFormatError       the input is not a graph we can read (`graph_invalid`,
 │                          `graph_not_found`)
 ├── GraphValidationError   a graph was read but has problems; carries every `GraphError`
 └── OverrideError          a `--set NODE.INPUT=VALUE` override cannot apply
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel

from nodes.sdk import AuteurError

GraphErrorCode = Literal[
    "unknown_node_type",
    "required_input_missing",
    "invalid_link",
    "type_mismatch",
    "value_invalid",
    "value_out_of_range",
    "value_not_in_options",
    "cycle_detected",
    "no_output_nodes",
    "maturity_insufficient",
    "path_forbidden",
]


class GraphError(BaseModel):
    """One problem found in a graph: `{code, message, node_id, input, details}`."""

    code: GraphErrorCode
    message: str
    node_id: str | None = None
    input: str | None = None
    details: dict[str, Any] | None = None


class GraphFormatError(AuteurError):
    """The data is not a workflow, API prompt or template we can read."""

    code = "graph_invalid"


class GraphValidationError(AuteurError):
    """A graph has problems; `errors` lists every one of them."""

    code = "graph_validation_failed"

    def __init__(self, errors: Sequence[GraphError], message: str | None = None) -> None:
        self.errors = list(errors)
        summary = "; ".join(error.message for error in self.errors[:3])
        more = f" (and {len(self.errors) - 3} more)" if len(self.errors) > 3 else ""
        super().__init__(
            message or f"the graph has {len(self.errors)} problem(s): {summary}{more}",
            details=[error.model_dump(mode="json") for error in self.errors],
        )


class OverrideError(AuteurError):
    """A `--set NODE_ID.INPUT=VALUE` override names a missing node, input or parameter."""

    code = "override_invalid"
