"""What a provider run costs, shown before it runs and refused above the project's budget.

The budget is the project's `settings.budgetUsd` (project.json; none: no limit). What was spent
is read back from the takes themselves: every provider take records its estimate in its
provenance (`source.provider`, `source.estimateUsd`), so the spend needs no second ledger that
could drift from the media it paid for.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from .._errors import NodeExecutionError
from ..layout import MANIFEST, PROVENANCE_SUFFIX, RENDERS_DIR
from ..takes import Provenance


class Estimate(BaseModel):
    """A provider's price for one run, before it runs: what the editor shows."""

    provider: str
    usd: float = Field(ge=0, description="Estimated cost in US dollars")
    units: float = Field(0, ge=0, description="What the price counts (seconds of video, tracks, images)")
    unit: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Spend:
    """A project's budget and what its provider takes cost so far, per provider."""

    budget_usd: float | None
    by_provider: dict[str, float]

    @property
    def spent_usd(self) -> float:
        return round(sum(self.by_provider.values()), 6)

    def left_usd(self) -> float | None:
        return None if self.budget_usd is None else round(self.budget_usd - self.spent_usd, 6)


def project_budget(project_root: Path) -> float | None:
    """`settings.budgetUsd` of the project's manifest (None when unset or unreadable)."""
    try:
        manifest: Any = json.loads((project_root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    settings = manifest.get("settings") if isinstance(manifest, dict) else None
    value = settings.get("budgetUsd") if isinstance(settings, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def project_spend(project_root: Path) -> Spend:
    """The budget and every provider take's recorded estimate, summed per provider."""
    spent: dict[str, float] = defaultdict(float)
    for path in (project_root / RENDERS_DIR).rglob(f"*{PROVENANCE_SUFFIX}"):
        try:
            provenance = Provenance.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a take being written; it counts once complete
        for run in provenance.runs[:1]:  # the run that made it paid for it; later reuses did not
            source = run.source
            cost = source.get("estimateUsd")
            if isinstance(cost, (int, float)) and source.get("provider"):
                spent[str(source["provider"])] += float(cost)
    return Spend(project_budget(project_root), dict(spent))


def over_budget(usd: float, spend: Spend) -> bool:
    left = spend.left_usd()
    return left is not None and usd > left + 1e-9


def budget_message(what: str, usd: float, spend: Spend) -> str:
    """Why `what` costing `usd` is refused: the words of the node's refusal and the editor's."""
    return (f"{what} would cost about ${usd:.2f}, more than is left of the project's budget "
            f"(${spend.left_usd() or 0:.2f} of ${spend.budget_usd or 0:.2f}; ${spend.spent_usd:.2f} spent); "
            "raise settings.budgetUsd or make the run smaller")


def check_budget(project_root: Path | None, estimate: Estimate) -> Spend | None:
    """Refuse (`budget_exceeded`, naming the estimate and the budget) a run whose estimate does
    not fit what is left of the project's budget; a run outside a project has no budget."""
    if project_root is None:
        return None
    spend = project_spend(project_root)
    if over_budget(estimate.usd, spend):
        raise NodeExecutionError(
            budget_message(f"{estimate.provider} ({estimate.detail or 'this run'})", estimate.usd, spend),
            code="budget_exceeded",
            details={"estimateUsd": estimate.usd, "budgetUsd": spend.budget_usd, "spentUsd": spend.spent_usd,
                     "provider": estimate.provider})
    return spend
