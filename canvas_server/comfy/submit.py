"""`POST /prompt`: a ComfyUI submission through the one submission path (`graph.check`) into
the run manager's persistent queue, as an ordinary run."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from function_runners.tiers import DEFAULT_TIER
from nodes.sdk import AuteurError

from ..governance import Principal
from ..graph.check import check_graph, finite_json
from ..graph.errors import (
    GraphError,
    GraphFormatError,
    GraphValidationError,
    MaturityError,
    OverrideError,
)
from ..graph.prompt import ApiPrompt
from ..runs.store import RunRequest, StoredRun
from ..server.services import AppServices
from .errors import comfy_error, invalid_prompt, refusal, validation_refusal
from .history import bus_client

_PROMPT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")


class PromptBody(BaseModel):
    """ComfyUI's `/prompt` body (unknown keys are ignored, as ComfyUI does)."""

    prompt: dict[str, Any]
    client_id: str | None = Field(None, max_length=200)
    prompt_id: str | None = None
    number: float | None = None
    front: bool | None = None
    extra_data: dict[str, Any] = Field(default_factory=dict)
    partial_execution_targets: list[str] | None = None


class PromptRefused(AuteurError):
    """A refusal with ComfyUI's body (`{error, node_errors}`) and its HTTP status."""

    code = "prompt_refused"

    def __init__(self, body: dict[str, Any], status: int = 400) -> None:
        super().__init__(str(body["error"].get("details") or body["error"]["message"]))
        self.body, self.status = body, status


def parse_body(raw: Any) -> PromptBody:
    if not isinstance(raw, dict) or "prompt" not in raw:
        raise PromptRefused(refusal(comfy_error("no_prompt", "No prompt provided", "the body has no 'prompt'")))
    try:
        finite_json(raw)
        return PromptBody.model_validate(raw)
    except (ValidationError, ValueError) as exc:
        raise PromptRefused(invalid_prompt(str(exc).splitlines()[0])) from None


def _run_id(services: AppServices, body: PromptBody) -> str:
    if body.prompt_id is None:
        return str(uuid.uuid4())
    if not _PROMPT_ID.match(body.prompt_id):
        raise PromptRefused(invalid_prompt(f"prompt_id {body.prompt_id!r} must be 1-200 of A-Z a-z 0-9 . _ : -"))
    assert services.runs is not None
    if services.runs.store.get(body.prompt_id) is not None:
        raise PromptRefused(invalid_prompt(f"prompt_id {body.prompt_id!r} is already used"))
    return body.prompt_id


def _checked_prompt(services: AppServices, body: PromptBody, principal: Principal) -> dict[str, Any]:
    try:
        checked = check_graph(body.prompt, services.registry, principal.caller,
                              targets=body.partial_execution_targets)
    except MaturityError as exc:
        raise PromptRefused(validation_refusal(_maturity_errors(exc), body.prompt, services.registry), 403) from None
    except GraphValidationError as exc:
        raise PromptRefused(validation_refusal(exc.errors, body.prompt, services.registry)) from None
    except (GraphFormatError, OverrideError) as exc:
        raise PromptRefused(invalid_prompt(exc.message, exc.details)) from None
    prompt: dict[str, Any] = checked.prompt.dump()
    return prompt


def _maturity_errors(exc: MaturityError) -> list[GraphError]:
    nodes = exc.details.get("nodes", []) if isinstance(exc.details, dict) else []
    return [GraphError(code="maturity_insufficient", message=exc.message, node_id=node["node_id"],
                       details={"type": node["type"], "required": node["requires"]}) for node in nodes]


def submit_prompt(services: AppServices, raw: Any, principal: Principal) -> StoredRun:
    """Check and queue one prompt; PromptRefused carries ComfyUI's refusal."""
    body = parse_body(raw)
    run_id = _run_id(services, body)
    prompt = _checked_prompt(services, body, principal)
    client = bus_client(body.client_id) if body.client_id else None
    if client is not None:
        services.events.subscribe(client, runs=[run_id])
    run = StoredRun(
        run_id=run_id, status="queued", tier=DEFAULT_TIER, client_id=client, principal=principal.name,
        request=RunRequest(graph=body.prompt, prompt=prompt, targets=body.partial_execution_targets),
        created_at=time.time(),
    )
    services.audit.record_run(principal, run_id, ApiPrompt.model_validate(prompt), services.registry, None)
    assert services.runs is not None
    services.runs.submit(run)
    return run
