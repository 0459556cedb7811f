"""The Auteur Canvas node SDK: the one module node authors import.

    from nodes.sdk import node, Node, Outputs, Input, Output, RunContext, MediaRef
"""

from . import layout
from ._context import ModelCache, RunContext, RunProvenance
from ._errors import (
    AuteurError,
    MissingDependencyError,
    NodeCancelledError,
    NodeDefinitionError,
    NodeExecutionError,
    PathForbiddenError,
)
from ._events import NODE_SETTLED, RUN_ENDED, EventType
from ._fields import Input, Output
from ._media import MediaKind, MediaRef, sha256_file
from ._media_guard import (
    INPUT_GUARD,
    MAX_PIXELS,
    MAX_SECONDS,
    MediaTooLargeError,
    check_media_budget,
    check_picture,
    guard_inputs,
    limited,
)
from ._node import Node, Outputs, build_spec, node, outputs_model_of, spec_of
from ._registry import ENTRY_POINT_GROUP, NodeRegistry, PackFailure, discover, node_classes_of
from ._sandbox import PathSandbox
from ._sockets import ANY, DOMAIN_TYPES, MEDIA_KINDS, PRIMITIVE_TYPES, sockets_compatible
from ._spec import (
    MATURITY_LEVELS,
    InputSpec,
    MaturityLevel,
    NodeSpec,
    OutputSpec,
    maturity_rank,
)
from ._take_service import SavedTake, TakeService
from ._tier_params import TierParams
from .atomic import atomic_publish, atomic_write_bytes, atomic_write_text

__all__ = [
    "ANY",
    "DOMAIN_TYPES",
    "ENTRY_POINT_GROUP",
    "INPUT_GUARD",
    "MATURITY_LEVELS",
    "MAX_PIXELS",
    "MAX_SECONDS",
    "MEDIA_KINDS",
    "NODE_SETTLED",
    "PRIMITIVE_TYPES",
    "RUN_ENDED",
    "AuteurError",
    "EventType",
    "Input",
    "InputSpec",
    "MaturityLevel",
    "MediaKind",
    "MediaRef",
    "MediaTooLargeError",
    "MissingDependencyError",
    "ModelCache",
    "Node",
    "NodeCancelledError",
    "NodeDefinitionError",
    "NodeExecutionError",
    "NodeRegistry",
    "NodeSpec",
    "Output",
    "OutputSpec",
    "Outputs",
    "PackFailure",
    "PathForbiddenError",
    "PathSandbox",
    "RunContext",
    "RunProvenance",
    "SavedTake",
    "TakeService",
    "TierParams",
    "atomic_publish",
    "atomic_write_bytes",
    "atomic_write_text",
    "build_spec",
    "check_media_budget",
    "check_picture",
    "discover",
    "guard_inputs",
    "layout",
    "limited",
    "maturity_rank",
    "node",
    "node_classes_of",
    "outputs_model_of",
    "sha256_file",
    "sockets_compatible",
    "spec_of",
]
