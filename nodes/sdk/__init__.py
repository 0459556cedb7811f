"""The Auteur Canvas node SDK: the one module node authors import.

    from nodes.sdk import node, Node, Outputs, Input, Output, RunContext, MediaRef
"""

from . import agents, layout
from ._context import ModelCache, RunContext, RunProvenance
from ._errors import (
    AuteurError,
    MissingDependencyError,
    NodeCancelledError,
    NodeDefinitionError,
    NodeExecutionError,
    PathForbiddenError,
)
from ._events import NODE_SETTLED, RUN_ENDED, RUN_STOPPED, EventType
from ._fields import Input, Output
from ._media import ImageMime, MediaKind, MediaRef, sha256_file, sniff_image
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
from ._net import is_loopback_host
from ._node import Node, Outputs, build_spec, node, outputs_model_of, spec_of
from ._pack import (
    PACK_ROUTES,
    Pack,
    PackCheck,
    PackHost,
    PackRoutes,
    RouteHost,
    pack_of,
    pack_prefix,
)
from ._registry import (
    ENTRY_POINT_GROUP,
    NodeRegistry,
    PackFailure,
    discover,
    node_classes_of,
    pack_failure,
)
from ._review import (
    AWAITING_REVIEW,
    ReviewAction,
    ReviewDecision,
    ReviewRequired,
    ReviewWait,
    value_digest,
)
from ._sandbox import PathSandbox
from ._secrets import (
    fernet_for,
    key_dir_of,
    master_secret,
    state_dir_of,
    url_signing_key,
    workspace_secret,
)
from ._settings import CommaList, PackSettings, PathList, SharedSettings, split_list
from ._signed_url import SIGNED_MEDIA_PREFIX, signed_path, signed_url, verify_signed_path
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
from .agents import (
    AGENT_RESULT_SOCKET,
    REVIEW_THRESHOLD,
    AgentResult,
    Evidence,
    agent_result,
    confidence_from,
)
from .atomic import (
    atomic_create_bytes,
    atomic_create_text,
    atomic_publish,
    atomic_write_bytes,
    atomic_write_text,
)

__all__ = [
    "AGENT_RESULT_SOCKET",
    "ANY",
    "AWAITING_REVIEW",
    "DOMAIN_TYPES",
    "ENTRY_POINT_GROUP",
    "INPUT_GUARD",
    "MATURITY_LEVELS",
    "MAX_PIXELS",
    "MAX_SECONDS",
    "MEDIA_KINDS",
    "NODE_SETTLED",
    "PACK_ROUTES",
    "PRIMITIVE_TYPES",
    "REVIEW_THRESHOLD",
    "RUN_ENDED",
    "RUN_STOPPED",
    "SIGNED_MEDIA_PREFIX",
    "AgentResult",
    "AuteurError",
    "CommaList",
    "EventType",
    "Evidence",
    "ImageMime",
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
    "Pack",
    "PackCheck",
    "PackFailure",
    "PackHost",
    "PackRoutes",
    "PackSettings",
    "PathForbiddenError",
    "PathList",
    "PathSandbox",
    "ReviewAction",
    "ReviewDecision",
    "ReviewRequired",
    "ReviewWait",
    "RouteHost",
    "RunContext",
    "RunProvenance",
    "SavedTake",
    "SharedSettings",
    "TakeService",
    "TierParams",
    "agent_result",
    "agents",
    "atomic_create_bytes",
    "atomic_create_text",
    "atomic_publish",
    "atomic_write_bytes",
    "atomic_write_text",
    "build_spec",
    "check_media_budget",
    "check_picture",
    "confidence_from",
    "discover",
    "fernet_for",
    "guard_inputs",
    "is_loopback_host",
    "key_dir_of",
    "layout",
    "limited",
    "master_secret",
    "maturity_rank",
    "node",
    "node_classes_of",
    "outputs_model_of",
    "pack_failure",
    "pack_of",
    "pack_prefix",
    "sha256_file",
    "signed_path",
    "signed_url",
    "sniff_image",
    "sockets_compatible",
    "spec_of",
    "split_list",
    "state_dir_of",
    "url_signing_key",
    "value_digest",
    "verify_signed_path",
    "workspace_secret",
]
