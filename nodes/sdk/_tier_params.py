"""Typed tier parameters: what a quality tier decides for a node, with the defaults in one
place (the node's `TierParams` model), validated against `tiers.toml` by a test."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

P = TypeVar("P", bound="TierParams")


class TierParams(BaseModel):
    """Base of a node's tier parameters; fields with defaults, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def tier_param_names(declared: type[TierParams] | Iterable[str]) -> list[str]:
    """The parameter names a node declares, from its model or a plain list of names."""
    if isinstance(declared, type) and issubclass(declared, TierParams):
        return list(declared.model_fields)
    return list(declared)


def resolve_tier_params(model: type[P], values: dict[str, Any]) -> P:
    """The tier's values for a node over the model's defaults."""
    return model.model_validate(values)
