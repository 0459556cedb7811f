"""Webhooks (docs/architecture.md §12; `runs/webhooks.py` sends them): make one for your runs or for a
project's, list and delete them, see deliveries and the dead-letter list, replay a dead one."""

from __future__ import annotations

from typing import Literal, get_args

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, Field

from ...governance import Action, Principal, WebhookResource, authorize
from ...request_body import RequestBody
from ...runs.webhooks import RUN_END_EVENTS, Delivery, DeliveryStatus, WebhookInfo
from ..deps import get_principal, get_services
from ..run_submit import run_project
from ..services import AppServices

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])
EventName = Literal["run.completed", "run.failed", "run.cancelled", "run.interrupted", "run.awaiting_review"]
ALL_EVENTS: tuple[EventName, ...] = get_args(EventName)
assert set(ALL_EVENTS) == set(RUN_END_EVENTS.values())  # one list of the events a run's end sends


class WebhookCreate(RequestBody):
    url: str = Field(max_length=2000, description="https://… (http:// only to a loopback host)")
    project: str | None = Field(None, description="Call it for this project's runs (you must be its creator "
                                                   "or owner); else for your own runs")
    events: list[EventName] = Field(default_factory=lambda: list(ALL_EVENTS), min_length=1)


class WebhookCreated(WebhookInfo):
    secret: str = Field(description="The signing secret (whsec_…): shown once, stored encrypted")


class WebhookList(BaseModel):
    items: list[WebhookInfo]


class DeliveryList(BaseModel):
    items: list[Delivery]


def _mine(principal: Principal) -> str | None:
    """Whose webhooks a list shows: an admin's shows everyone's."""
    return None if principal.role == "admin" else principal.name


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_webhook(
    body: WebhookCreate,
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> WebhookCreated:
    authorize(principal, Action.WEBHOOK_MANAGE)
    ref = run_project(services, principal, body.project)  # 404 or 403 like a run in it
    info, secret = services.webhooks.store.create(principal.name, ref.name if ref else None, body.url,
                                                  sorted(set(body.events)))
    return WebhookCreated(**info.model_dump(), secret=secret)


@router.get("")
async def list_webhooks(
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> WebhookList:
    authorize(principal, Action.WEBHOOK_MANAGE)
    return WebhookList(items=services.webhooks.store.listed(_mine(principal)))


@router.get("/deliveries")
async def list_deliveries(
    status: DeliveryStatus | None = None,
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> DeliveryList:
    """Newest first; `status=dead` is the dead-letter list."""
    authorize(principal, Action.WEBHOOK_MANAGE)
    return DeliveryList(items=services.webhooks.store.deliveries(_mine(principal), status))


@router.post("/deliveries/{delivery_id}/replay", status_code=status.HTTP_202_ACCEPTED)
async def replay_delivery(
    delivery_id: str,
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> Delivery:
    """Send a delivery again from its first attempt (same message id: receivers deduplicate)."""
    delivery, webhook = services.webhooks.store.delivery(delivery_id)
    authorize(principal, Action.WEBHOOK_MANAGE, WebhookResource(webhook.webhook_id, webhook.owner))
    services.webhooks.replay(delivery_id)
    return services.webhooks.store.delivery(delivery.delivery_id)[0]


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_webhook(
    webhook_id: str,
    services: AppServices = Depends(get_services), principal: Principal = Depends(get_principal),
) -> Response:
    webhook = services.webhooks.store.get(webhook_id)
    authorize(principal, Action.WEBHOOK_MANAGE, WebhookResource(webhook.webhook_id, webhook.owner))
    services.webhooks.store.delete(webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
