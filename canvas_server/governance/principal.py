"""Who is calling: a name and a maturity level, checked against each node's maturity."""

from __future__ import annotations

from pydantic import BaseModel

from nodes.sdk import MaturityLevel, NodeSpec, maturity_rank


class Principal(BaseModel):
    """A caller. `token_id` is None for the local loopback user."""

    name: str
    maturity: MaturityLevel
    token_id: str | None = None

    def may_run(self, spec: NodeSpec) -> bool:
        return maturity_rank(self.maturity) >= maturity_rank(spec.maturity)


# Bound to loopback with no tokens configured, the local user is fully trusted (DESIGN §8).
LOCAL_PRINCIPAL = Principal(name="local", maturity="AUTONOMOUS")
