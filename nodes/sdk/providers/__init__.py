"""The provider SDK: one pattern for every remote generation service (Veo, Higgsfield, Suno, a
remote ComfyUI, …).

- `JobApi`: the request/poll block of a submit-then-poll API (Higgsfield, Suno): calls watched
  and retried on the provider's transient statuses, the job polled with progress;
- `Watch`: calls watched for cancellation (the provider's own cancel tried once), transient
  failures retried with backoff, jobs polled with a doubling interval (submit → poll → download);
- `PriceModel` (a node's `price()`: per second, per image or per call, by quality tier),
  `price_of`: what a run will cost, counted from the node's inputs before it runs;
- `Estimate`, `check_budget`, `project_spend`: the price shown before a run, refused above the
  project's `settings.budgetUsd`, the spend read back from the takes' provenance;
- `CredentialStore`: API keys encrypted per principal with the workspace's secret box;
- `download`, `check_media`: results fetched size-limited and sniffed before they become takes.

A provider node saves results through `ctx.takes.save(...)` with `provenance_source(...)` so its
spend is counted.
"""

from __future__ import annotations

from typing import Any

from ._budget import (
    Estimate,
    Spend,
    budget_message,
    check_budget,
    over_budget,
    project_budget,
    project_spend,
)
from ._calls import Backoff, Classify, Polling, Watch
from ._credentials import KEY_CHARS, PROVIDER_NAME, CredentialStore, mask
from ._download import DEFAULT_MAX_BYTES, Expected, check_media, download, sniff_suffix
from ._jobs import RETRY_STATUSES, JobApi
from ._price import PriceModel, PriceUnit, price_of


def provenance_source(estimate: Estimate, **facts: Any) -> dict[str, Any]:
    """A provider take's `source`: the provider and its estimate (what the spend sums), and the
    job's facts (its id, model, prompt…)."""
    return {"kind": f"provider:{estimate.provider}", "provider": estimate.provider,
            "estimateUsd": estimate.usd, **facts}


__all__ = [
    "DEFAULT_MAX_BYTES",
    "KEY_CHARS",
    "PROVIDER_NAME",
    "RETRY_STATUSES",
    "Backoff",
    "Classify",
    "CredentialStore",
    "Estimate",
    "Expected",
    "JobApi",
    "Polling",
    "PriceModel",
    "PriceUnit",
    "Spend",
    "Watch",
    "budget_message",
    "check_budget",
    "check_media",
    "download",
    "mask",
    "over_budget",
    "price_of",
    "project_budget",
    "project_spend",
    "provenance_source",
    "sniff_suffix",
]
