"""Who is calling: a name and a maturity level, checked against each node's maturity."""

from __future__ import annotations

from pydantic import BaseModel

from nodes.sdk import MaturityLevel

from ..graph.check import Caller
from .roles import DEFAULT_ROLE, Role


class Principal(BaseModel):
    """A caller: a name (owner of its runs), a role (what it may touch) and a maturity
    (which nodes it may run). `token_id` is None for the local loopback user."""

    name: str
    maturity: MaturityLevel
    role: Role = DEFAULT_ROLE
    token_id: str | None = None

    @property
    def caller(self) -> Caller:
        """The caller as the submission check names it in a maturity refusal."""
        return Caller(label="this token" if self.token_id else f"user {self.name}", maturity=self.maturity)


# Bound to loopback with no tokens configured, the local user is fully trusted (docs/architecture.md §8);
# the CLI acting on the workspace directly is this user too.
LOCAL_PRINCIPAL = Principal(name="local", maturity="AUTONOMOUS", role="admin")
