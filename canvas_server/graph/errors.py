"""Graph problems: `GraphError` (one validation finding) and the exceptions of the graph layer.

AuteurError
 ├── GraphFormatError       the input is not a graph we can read (`graph_invalid`,
 │                          `graph_not_found`)
 ├── GraphValidationError   a graph was read but has problems; carries every `GraphError`
 ├── GraphTooLargeError     more nodes than AUTEUR_MAX_GRAPH_NODES (413, `graph_too_large`)
 ├── MaturityError          nodes above the caller's maturity (403, `maturity_insufficient`)
 └── OverrideError          a parameter override (`--set NODE.INPUT=VALUE`, API `params`)
                            cannot apply (`param_invalid`)
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

    code = "validation_failed"

    def __init__(self, errors: Sequence[GraphError], message: str | None = None) -> None:
        self.errors = list(errors)
        summary = "; ".join(error.message for error in self.errors[:3])
        more = f" (and {len(self.errors) - 3} more)" if len(self.errors) > 3 else ""
        super().__init__(
            message or f"the graph has {len(self.errors)} problem(s): {summary}{more}",
            details=[error.model_dump(mode="json") for error in self.errors],
        )


class GraphTooLargeError(AuteurError):
    """A graph with more nodes than the server takes (checked before it is read)."""

    code = "graph_too_large"

    def __init__(self, nodes: int, limit: int) -> None:
        super().__init__(
            f"the graph has {nodes} nodes; this server takes at most {limit} "
            "(setting AUTEUR_MAX_GRAPH_NODES): split it, or use a list input to fan one node out",
            details={"nodes": nodes, "limit": limit, "setting": "AUTEUR_MAX_GRAPH_NODES"},
        )


class MaturityError(AuteurError):
    """The graph has nodes above the caller's maturity; `details["nodes"]` names each one."""

    code = "maturity_insufficient"

    def __init__(self, errors: Sequence[GraphError], caller: str, caller_maturity: str) -> None:
        nodes = [
            {"node_id": error.node_id, "type": (error.details or {}).get("type"),
             "requires": (error.details or {}).get("required")}
            for error in errors
        ]
        lines = [
            f"node {node['node_id']}: {node['type']} requires {node['requires']} maturity; "
            f"{caller} is {caller_maturity}"
            for node in nodes
        ]
        super().__init__(
            "; ".join(lines), details={"nodes": nodes, "caller_maturity": caller_maturity}
        )


class OverrideError(AuteurError):
    """A parameter override names a missing node, input or template parameter, replaces a
    link, or carries a value of the wrong type."""

    code = "param_invalid"
