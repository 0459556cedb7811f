"""`POST /prompt`: a ComfyUI submission through the server's one submit path
(`server/run_submit.submit_run`: `run.submit`, `graph.check` with the caller's maturity, the
project's `project.run`, the client id bound to the caller) into the persistent queue, as an
ordinary run.

`extra_data.auteur` carries what ComfyUI's body has no place for: `{"project": NAME_OR_ID,
"tier": "low" | "standard" | "high"}` (both optional; the tier defaults to the project's, else
standard, as on `/api/runs`).
"""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from function_runners.tiers import TierName
from nodes.sdk import AuteurError

from ..governance import Principal
from ..graph.check import finite_json
from ..graph.errors import (
    GraphError,
    GraphFormatError,
    GraphValidationError,
    MaturityError,
    OverrideError,
)
from ..request_body import RequestBody, validation_message
from ..runs.storage import off_loop
from ..runs.store import StoredRun
from ..server.errors import status_for
from ..server.run_submit import submit_run
from ..server.services import AppServices
from .errors import auteur_refusal, comfy_error, invalid_prompt, refusal, validation_refusal
from .history import bus_client

_PROMPT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")


class AuteurExtra(RequestBody):
    """`extra_data.auteur`: run the prompt in a project and at a tier (ours: strict, unlike the
    ComfyUI body around it)."""

    project: str | None = Field(None, min_length=1, max_length=200)
    tier: TierName | None = None


class PromptBody(BaseModel):
    """ComfyUI's `/prompt` body, read as ComfyUI's server reads it: unknown keys ignored, and
    `number` and `front` taken loosely (ComfyUI calls `float()` on one and tests the other for
    truth), so its frontend and its clients' scripts keep working. Not a RequestBody on purpose."""

    prompt: dict[str, Any]
    client_id: str | None = Field(None, max_length=200)
    prompt_id: str | None = None
    number: float | None = None
    front: bool | None = None
    extra_data: dict[str, Any] = Field(default_factory=dict)
    partial_execution_targets: list[str] | None = None

    def auteur(self) -> AuteurExtra:
        return AuteurExtra.model_validate(self.extra_data.get("auteur") or {})


class PromptRefused(AuteurError):
    """A refusal with ComfyUI's body (`{error, node_errors}`) and its HTTP status."""

    code = "prompt_refused"

    def __init__(self, body: dict[str, Any], status: int = 400) -> None:
        super().__init__(str(body["error"].get("details") or body["error"]["message"]))
        self.body, self.status = body, status


def parse_body(raw: Any) -> tuple[PromptBody, AuteurExtra]:
    if not isinstance(raw, dict) or "prompt" not in raw:
        raise PromptRefused(refusal(comfy_error("no_prompt", "No prompt provided", "the body has no 'prompt'")))
    try:
        finite_json(raw)
        body = PromptBody.model_validate(raw)
    except ValidationError as exc:
        raise PromptRefused(invalid_prompt(validation_message(exc.errors()))) from None
    except ValueError as exc:  # not finite JSON
        raise PromptRefused(invalid_prompt(str(exc).splitlines()[0])) from None
    try:
        return body, body.auteur()
    except ValidationError as exc:
        where = [{**error, "loc": ("extra_data", "auteur", *error["loc"])} for error in exc.errors()]
        raise PromptRefused(invalid_prompt(validation_message(where))) from None


async def _run_id(services: AppServices, body: PromptBody) -> str | None:
    if body.prompt_id is None:
        return None
    if not _PROMPT_ID.match(body.prompt_id):
        raise PromptRefused(invalid_prompt(f"prompt_id {body.prompt_id!r} must be 1-200 of A-Z a-z 0-9 . _ : -"))
    # Never reused, not even after a delete: the id's persisted events would be replayed to the
    # new owner. The event log also knows ids deleted before the run store retired them.
    store = services.runs.store
    if await off_loop(store.shared, store.ever_used, body.prompt_id) or await services.events.knows_run(body.prompt_id):
        raise PromptRefused(invalid_prompt(f"prompt_id {body.prompt_id!r} is already used"))
    return body.prompt_id


def _maturity_errors(exc: MaturityError) -> list[GraphError]:
    nodes = exc.details.get("nodes", []) if isinstance(exc.details, dict) else []
    return [GraphError(code="maturity_insufficient", message=exc.message, node_id=node["node_id"],
                       details={"type": node["type"], "required": node["requires"]}) for node in nodes]


async def submit_prompt(services: AppServices, raw: Any, principal: Principal) -> StoredRun:
    """Check and queue one prompt; PromptRefused carries ComfyUI's refusal (403 for
    governance: the role, a node above the caller's maturity, the project, the client id)."""
    body, extra = parse_body(raw)
    run_id = await _run_id(services, body)
    try:
        run = await submit_run(services, principal, body.prompt, tier=extra.tier, project=extra.project,
                          targets=body.partial_execution_targets,
                          client_id=bus_client(body.client_id) if body.client_id else None, run_id=run_id)
        # ComfyUI's queue order within the caller's own line (fair share across principals stays):
        # `front` first, else an explicit `number` (lower runs first; ours are submission ms).
        if body.front:
            await services.runs.move(run.run_id, "front")
        elif body.number is not None and math.isfinite(body.number):
            await services.runs.place_at(run.run_id, body.number / 1000)
        return run
    except MaturityError as exc:
        raise PromptRefused(validation_refusal(_maturity_errors(exc), body.prompt, services.registry), 403) from None
    except GraphValidationError as exc:
        raise PromptRefused(validation_refusal(exc.errors, body.prompt, services.registry)) from None
    except (GraphFormatError, OverrideError) as exc:
        raise PromptRefused(invalid_prompt(exc.message, exc.details)) from None
    except AuteurError as exc:  # forbidden, project_not_found: ComfyUI's shape, our status
        raise PromptRefused(auteur_refusal(exc), status_for(exc.code)) from None
