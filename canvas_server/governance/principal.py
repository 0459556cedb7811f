"""Who is calling: a name and a maturity level, checked against each node's maturity."""

from __future__ import annotations

from pydantic import BaseModel

from nodes.sdk import MaturityLevel

from ..graph.check import Caller


class Principal(BaseModel):
    """A caller. `token_id` is None for the local loopback user."""

    name: str
    maturity: MaturityLevel
    token_id: str | None = None

    @property
    def caller(self) -> Caller:
        """The caller as the submission check names it in a maturity refusal."""
        return Caller(label="this token" if self.token_id else f"user {self.name}", maturity=self.maturity)


# Bound to loopback with no tokens configured, the local user is fully trusted (DESIGN §8).
LOCAL_PRINCIPAL = Principal(name="local", maturity="AUTONOMOUS")
