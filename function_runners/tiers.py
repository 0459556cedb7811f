"""Quality tiers (low / standard / high) loaded from `tiers.toml`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from nodes.sdk import AuteurError

TierName = Literal["low", "standard", "high"]
TIER_NAMES: tuple[TierName, ...] = ("low", "standard", "high")
DEFAULT_TIER: TierName = "standard"  # a run's tier: the request's, else the project's, else this
DEFAULT_TIERS_FILE = Path(__file__).with_name("tiers.toml")


class TierSpec(BaseModel):
    """One quality tier: what it is for and the node parameters it decides."""

    pipeline_id: str
    target_vram: str
    optimizations: list[str] = Field(default_factory=list)
    use_case: str
    nodes: dict[str, dict[str, Any]] = Field(default_factory=dict)


class TierConfig(BaseModel):
    """The three tiers; `params_for` resolves a node's tier parameters."""

    low: TierSpec
    standard: TierSpec
    high: TierSpec

    def tier(self, name: str) -> TierSpec:
        if name not in TIER_NAMES:
            raise AuteurError(
                f"unknown quality tier {name!r}; use one of {', '.join(TIER_NAMES)}",
                code="tier_unknown",
            )
        spec: TierSpec = getattr(self, name)
        return spec

    def params_for(self, tier: str, type_id: str) -> dict[str, Any]:
        return dict(self.tier(tier).nodes.get(type_id, {}))


def load_tiers(path: Path | None = None) -> TierConfig:
    """Read and validate a tiers file; errors name the file and the problem."""
    source = path or DEFAULT_TIERS_FILE
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
        return TierConfig.model_validate(data)
    except FileNotFoundError as exc:
        raise AuteurError(f"tiers file not found: {source}", code="tiers_invalid") from exc
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise AuteurError(f"tiers file {source} is invalid: {exc}", code="tiers_invalid") from exc
