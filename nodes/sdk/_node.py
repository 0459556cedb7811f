"""`Node`, `Outputs` and the `@node(...)` decorator that validates and describes a node class."""

from __future__ import annotations

import inspect
import re
import sys
import typing
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from ._errors import NodeDefinitionError
from ._introspect import SocketInferenceError, input_spec, output_spec
from ._spec import MATURITY_LEVELS, NodeSpec, declares_price
from ._tier_params import TierParams, tier_param_names

if TYPE_CHECKING:
    from ._context import RunContext

TYPE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$"
)
SPEC_ATTR = "__node_spec__"


class Outputs(BaseModel):
    """Base of a node's output model; its fields are the output slots, in order."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


class Node(BaseModel):
    """Base of every node: fields are inputs, `run(ctx)` returns an `Outputs` instance."""

    model_config = ConfigDict(extra="forbid")
    __node_spec__: ClassVar[NodeSpec]
    # The node's typed tier parameters (defaults included), when it declares a model.
    __tier_params__: ClassVar[type[TierParams] | None] = None

    def run(self, ctx: RunContext) -> Outputs:
        raise NotImplementedError

    @classmethod
    def migrate(cls, from_version: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """Upgrade inputs saved by an older version of this node (default: unchanged)."""
        return inputs


N = TypeVar("N", bound=type[Node])


def _fail(cls: type, problem: str) -> typing.NoReturn:
    raise NodeDefinitionError(getattr(cls, "__qualname__", repr(cls)), problem)


def _output_model(cls: type[Node], localns: dict[str, Any] | None = None) -> type[Outputs]:
    if cls.run is Node.run:
        _fail(cls, "it has no run(self, ctx) method")
    try:
        hints = typing.get_type_hints(cls.run, localns=localns)
    except Exception as exc:
        _fail(cls, f"run()'s annotations cannot be resolved ({exc})")
    returned = hints.get("return")
    if not (inspect.isclass(returned) and issubclass(returned, Outputs)):
        _fail(cls, f"run() must be annotated to return an Outputs subclass, not {returned!r}")
    return returned


def _check_metadata(cls: type, type_id: str, version: str, maturity: str, runs_on: str) -> None:
    if not TYPE_ID_RE.match(type_id):
        _fail(cls, f"type id {type_id!r} must be dotted lower case, e.g. 'media.trim'")
    if not SEMVER_RE.match(version):
        _fail(cls, f"version {version!r} is not semver (MAJOR.MINOR.PATCH)")
    if maturity not in MATURITY_LEVELS:
        _fail(cls, f"maturity {maturity!r} is not one of {', '.join(MATURITY_LEVELS)}")
    if runs_on not in ("inline", "runner"):
        _fail(cls, f"runs_on {runs_on!r} must be 'inline' or 'runner'")


def build_spec(
    cls: type[Node],
    *,
    type_id: str,
    title: str,
    category: str,
    version: str,
    maturity: str,
    runs_on: str,
    output_node: bool,
    cache: bool,
    tier_params: type[TierParams] | Iterable[str],
    reads_shot_list: bool = False,
    localns: dict[str, Any] | None = None,
) -> NodeSpec:
    """Validate a node class and describe it; raises NodeDefinitionError naming the problem."""
    if not (inspect.isclass(cls) and issubclass(cls, Node)):
        _fail(cls, "@node must decorate a subclass of nodes.sdk.Node")
    _check_metadata(cls, type_id, version, maturity, runs_on)
    outputs_model = _output_model(cls, localns)
    try:
        inputs = [input_spec(name, info) for name, info in cls.model_fields.items()]
        outputs = [output_spec(name, info) for name, info in outputs_model.model_fields.items()]
    except SocketInferenceError as exc:
        _fail(cls, str(exc))
    return NodeSpec(
        type=type_id,
        title=title or cls.__name__,
        category=category,
        description=inspect.cleandoc(cls.__doc__ or ""),
        version=version,
        maturity=maturity,
        runs_on=runs_on,
        output_node=output_node,
        cache=cache,
        reads_shot_list=reads_shot_list,
        priced=declares_price(cls),
        tier_params=tier_param_names(tier_params),
        module=cls.__module__,
        class_name=cls.__qualname__,
        inputs=inputs,
        outputs=outputs,
        input_schema=cls.model_json_schema(),
    )


def node(
    type_id: str,
    *,
    title: str = "",
    category: str = "Misc",
    version: str = "1.0.0",
    maturity: str = "INTERN",
    runs_on: str = "inline",
    output_node: bool = False,
    cache: bool = True,
    tier_params: type[TierParams] | Iterable[str] = (),
    reads_shot_list: bool = False,
) -> Callable[[N], N]:
    """Declare a node type. Validation happens here, so a malformed node fails at import.
    `reads_shot_list`: the node reads the project's shot list (`nodes.sdk.shot_list`), so the
    engine keys its results by it too."""
    # Nodes declared inside a function refer to output models local to it.
    caller_locals = dict(sys._getframe(1).f_locals)

    def decorate(cls: N) -> N:
        spec = build_spec(
            cls,
            type_id=type_id,
            title=title,
            category=category,
            version=version,
            maturity=maturity,
            runs_on=runs_on,
            output_node=output_node,
            cache=cache,
            tier_params=tier_params,
            reads_shot_list=reads_shot_list,
            localns=caller_locals,
        )
        setattr(cls, SPEC_ATTR, spec)
        if isinstance(tier_params, type):
            cls.__tier_params__ = tier_params
        return cls

    return decorate


def spec_of(cls: type) -> NodeSpec | None:
    """The spec a class was decorated with, or None (inherited specs do not count)."""
    spec = cls.__dict__.get(SPEC_ATTR)
    return spec if isinstance(spec, NodeSpec) else None


def outputs_model_of(cls: type[Node]) -> type[Outputs]:
    return _output_model(cls, vars(sys.modules[cls.__module__]))
