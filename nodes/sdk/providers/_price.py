"""What a provider node charges, declared before it runs: the price model the run's estimate and
the node's own budget check both compute from, so the editor's "Estimated cost" and the
`budget_exceeded` refusal can never disagree.

A node declares `price() -> PriceModel` (a classmethod: prices are settings, read when asked);
`PriceModel.estimate(values, tier)` counts the units from the node's input values (seconds of
video, images, calls) and prices them at the tier's rate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal, TypeGuard

from pydantic import BaseModel, Field

from .._spec import declares_price
from ._budget import Estimate

PriceUnit = Literal["second", "image", "call"]


class PriceModel(BaseModel):
    """A provider's price: `usd` per `unit` (per second of video, per image, per call), or the
    rate of the run's quality tier where `by_tier` names one; the units are the product of the
    `counts` inputs (a missing or unreadable one counts as its `default_counts` value, else 1)."""

    provider: str
    unit: PriceUnit
    usd: float = Field(ge=0, description="US dollars per unit")
    by_tier: dict[str, float] = Field(default_factory=dict, description="US dollars per unit on a quality tier")
    counts: tuple[str, ...] = Field((), description="Inputs whose values, multiplied, count the units")
    default_counts: dict[str, float] = Field(default_factory=dict, description="A count's value when not known")
    replaced_by: dict[str, str] = Field(default_factory=dict, description="A count a linked input replaces at run "
                                        "time (a clip's duration by a linked shot's): estimated, approximate")

    def rate(self, tier: str | None) -> float:
        return self.by_tier.get(tier or "", self.usd)

    def units(self, values: Mapping[str, Any]) -> tuple[float, bool]:
        """The units counted from `values`, and whether every count was known."""
        units, known = 1.0, True
        for name in self.counts:
            value = values.get(name)
            if _is_count(value):
                units *= float(value)
            else:
                known = False
                units *= self.default_counts.get(name, 1)
        return units, known

    def estimate(self, values: Mapping[str, Any], tier: str | None = None, detail: str = "") -> Estimate:
        """The price of one run of the node with these input values on this tier."""
        units, _ = self.units(values)
        plural = "" if units == 1 else "s"
        return Estimate(provider=self.provider, usd=round(units * self.rate(tier), 4), units=units,
                        unit=f"{self.unit}{plural}", detail=detail or f"{units:g} {self.unit}{plural}")


def price_of(node_type: type) -> PriceModel | None:
    """The price model a node type declares (`price()`), None for a node that charges nothing."""
    if not declares_price(node_type):
        return None
    model = node_type.price()  # type: ignore[attr-defined]  # declares_price: a callable price
    return model if isinstance(model, PriceModel) else None


def _is_count(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
