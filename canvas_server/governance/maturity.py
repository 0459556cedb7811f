"""Maturity enforcement at submit: every node above the caller's level is named (DESIGN §8)."""

from __future__ import annotations

from typing import Any

from nodes.sdk import AuteurError, NodeRegistry

from ..graph.prompt import ApiPrompt
from .principal import Principal


class MaturityError(AuteurError):
    """403: the run contains nodes the caller may not run; `details` lists each one."""

    code = "maturity_insufficient"

    def __init__(self, refusals: list[dict[str, Any]], principal: Principal) -> None:
        who = "this token" if principal.token_id else f"user {principal.name}"
        lines = [
            f"node {r['node_id']}: {r['type']} requires {r['requires']} maturity; {who} is {principal.maturity}"
            for r in refusals
        ]
        super().__init__("; ".join(lines), details={"nodes": refusals, "caller_maturity": principal.maturity})


def maturity_refusals(prompt: ApiPrompt, registry: NodeRegistry, principal: Principal) -> list[dict[str, Any]]:
    """Nodes of known types whose maturity is above the caller's (unknown types are left to
    validation, which reports them as `unknown_node_type`)."""
    refusals = []
    for node_id, node in prompt.nodes().items():
        spec = registry.spec(node.class_type)
        if spec is not None and not principal.may_run(spec):
            refusals.append({"node_id": node_id, "type": spec.type, "requires": spec.maturity})
    return refusals
