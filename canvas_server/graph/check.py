"""The one submission check: read a graph, apply overrides, check maturity, validate.

Every way in — `auteur run` / `auteur validate`, `POST /api/graphs/validate`, `POST
/api/runs` and any later API — goes through `inspect_graph` (report every problem) or
`check_graph` (refuse the first kind of problem), so the same bad graph gets the same codes
everywhere:

- `graph_too_large` (GraphTooLargeError, 413): more nodes than `max_nodes`, found before
  anything else is read, and again once subgraphs are flattened;
- `graph_invalid` / `graph_not_found` (GraphFormatError): not a graph we can read;
- `param_invalid` (OverrideError): an override cannot apply;
- `maturity_insufficient` (MaturityError, 403): nodes above the caller's level;
- `validation_failed` (GraphValidationError, 422): every other problem, in `details`.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nodes.sdk import NodeRegistry, PathSandbox

from .errors import (
    GraphError,
    GraphFormatError,
    GraphTooLargeError,
    GraphValidationError,
    MaturityError,
)
from .load import GraphKind, LoadedGraph, load_graph
from .params import apply_params
from .prompt import ApiPrompt
from .template import Template
from .validate import validate_prompt
from .workflow import Workflow


@dataclass(frozen=True)
class Caller:
    """Who submits: how to name them in a refusal, and their maturity level."""

    label: str
    maturity: str


@dataclass
class GraphCheck:
    """A graph as it would run, with every problem found (empty: it may run)."""

    kind: GraphKind
    prompt: ApiPrompt
    workflow: Workflow | None = None
    template: Template | None = None
    errors: list[GraphError] = field(default_factory=list)

    @property
    def maturity_errors(self) -> list[GraphError]:
        return [error for error in self.errors if error.code == "maturity_insufficient"]

    @property
    def ok(self) -> bool:
        return not self.errors


def finite_json(value: Any) -> Any:
    """Refuse NaN and ±Infinity anywhere in a value (ValueError): Python's JSON parser accepts
    them, but they are not JSON and could never be sent back to a client."""
    try:  # the C encoder finds them an order of magnitude faster than a walk (big graphs)
        json.dumps(value, allow_nan=False)
        return value
    except ValueError:
        raise ValueError("NaN and Infinity are not valid JSON numbers") from None
    except (TypeError, RecursionError):
        pass  # not plain JSON data: walk it
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError("NaN and Infinity are not valid JSON numbers")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


def node_count(graph: Any) -> int:
    """The nodes a graph holds as sent: a workflow's (its own, the template's) and those of its
    subgraph definitions, or an API prompt's entries."""
    if not isinstance(graph, dict):
        return 0
    inner_workflow = graph.get("workflow")
    workflow: dict[str, Any] = inner_workflow if isinstance(inner_workflow, dict) else graph
    if not isinstance(workflow.get("nodes"), list):
        return len(graph)
    definitions = workflow.get("definitions")
    subgraphs = definitions.get("subgraphs") if isinstance(definitions, dict) else None
    inner = [subgraph.get("nodes") for subgraph in subgraphs if isinstance(subgraph, dict)] \
        if isinstance(subgraphs, list) else []
    return len(workflow["nodes"]) + sum(len(nodes) for nodes in inner if isinstance(nodes, list))


def check_size(nodes: int, max_nodes: int | None) -> None:
    if max_nodes is not None and nodes > max_nodes:
        raise GraphTooLargeError(nodes, max_nodes)


def inspect_graph(
    graph: Any,
    registry: NodeRegistry,
    caller: Caller | None,
    *,
    params: Mapping[str, Any] | None = None,
    targets: list[str] | None = None,
    sandbox: PathSandbox | None = None,
    max_nodes: int | None = None,
) -> GraphCheck:
    """Every problem of `graph` for `caller` (None: no maturity check). Raises only when the
    graph has more than `max_nodes` nodes (GraphTooLargeError), cannot be read
    (GraphFormatError) or an override cannot apply (OverrideError)."""
    check_size(node_count(graph), max_nodes)
    key = _recent_key(graph, registry, caller, params, targets, max_nodes) if sandbox is None else None
    if key is not None and (recent := _recent.get(key)) is not None:
        return recent
    if key is None:  # a key is made of plain finite JSON only: with one, the graph is that already
        try:
            finite_json(graph)
        except ValueError as exc:
            raise GraphFormatError(str(exc)) from None
    checked = _inspect(graph, registry, caller, params, targets, sandbox, max_nodes)
    if key is not None:
        _recent.put(key, checked)
    return checked


def _inspect(
    graph: Any, registry: NodeRegistry, caller: Caller | None, params: Mapping[str, Any] | None,
    targets: list[str] | None, sandbox: PathSandbox | None, max_nodes: int | None,
) -> GraphCheck:
    loaded = load_graph(graph, registry)
    check_size(len(loaded.prompt.nodes()), max_nodes)  # subgraph instances, flattened
    prompt = _with_params(loaded, params, registry)
    errors = [
        *loaded.errors,
        *validate_prompt(
            prompt, registry, targets=targets, sandbox=sandbox,
            caller_maturity=caller.maturity if caller is not None else None,
        ),
    ]
    return GraphCheck(loaded.kind, prompt, loaded.workflow, loaded.template, errors)


class _RecentChecks:
    """The last few checks, by what decides their outcome. The editor validates a graph and
    then submits the same graph: the submission's check is the validation's, not a second
    conversion of every node (a 1,000-node workflow: ~0.15 s each). Never mutated once made."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[Any, ...], GraphCheck] = OrderedDict()
        self.lock = threading.Lock()  # checks run in worker threads

    def get(self, key: tuple[Any, ...]) -> GraphCheck | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], checked: GraphCheck) -> None:
        with self.lock:
            self.items[key] = checked
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_recent = _RecentChecks(8)


def _recent_key(
    graph: Any, registry: NodeRegistry, caller: Caller | None, params: Mapping[str, Any] | None,
    targets: list[str] | None, max_nodes: int | None,
) -> tuple[Any, ...] | None:
    """What a check's outcome depends on (the registry by identity and size: a registry gains
    nodes as packs load); None when the graph or the overrides are not plain finite JSON (the
    full check then says why)."""
    try:
        text = json.dumps([graph, params or {}, targets], allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return None
    digest = hashlib.blake2b(text.encode(), digest_size=20).digest()
    return (digest, registry, len(registry), caller.maturity if caller is not None else None, max_nodes)


def check_graph(
    graph: Any,
    registry: NodeRegistry,
    caller: Caller | None,
    *,
    params: Mapping[str, Any] | None = None,
    targets: list[str] | None = None,
    sandbox: PathSandbox | None = None,
    max_nodes: int | None = None,
) -> GraphCheck:
    """The runnable graph, or the refusal: GraphTooLargeError before anything is read, then
    MaturityError (403, naming each node), then GraphValidationError with every remaining problem."""
    checked = inspect_graph(graph, registry, caller, params=params, targets=targets, sandbox=sandbox,
                            max_nodes=max_nodes)
    return runnable(checked, caller)


def runnable(checked: GraphCheck, caller: Caller | None) -> GraphCheck:
    """`checked` if it has no problem, else its refusal (as `check_graph` refuses)."""
    if checked.maturity_errors and caller is not None:
        raise MaturityError(checked.maturity_errors, caller.label, caller.maturity)
    if checked.errors:
        raise GraphValidationError(checked.errors)
    return checked


def _with_params(
    loaded: LoadedGraph, params: Mapping[str, Any] | None, registry: NodeRegistry
) -> ApiPrompt:
    if not params:
        return loaded.prompt
    return apply_params(loaded.prompt, params, registry, loaded.template)
