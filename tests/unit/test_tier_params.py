"""Tier parameters are typed once, in each node's `TierParams` model, and every value the
tier file sets is checked against it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from function_runners.tiers import TIER_NAMES, load_tiers
from nodes.sdk import TierParams, discover
from nodes.sdk.ffmpeg.tier_params import EncodeParams


def test_every_tier_file_entry_validates_against_the_nodes_typed_parameters() -> None:
    registry = discover()
    tiers = load_tiers()
    checked = 0
    for tier in TIER_NAMES:
        for type_id, values in tiers.tier(tier).nodes.items():
            cls = registry.get(type_id)
            assert cls is not None, f"tiers.toml names {type_id}, which no pack provides"
            model = cls.__tier_params__
            assert model is not None, f"{type_id} has tier values but declares no TierParams"
            model.model_validate(values)
            checked += 1
    assert checked >= 15


def test_the_spec_lists_the_parameter_names_of_the_model() -> None:
    spec = discover().spec("media.trim")
    assert spec is not None and spec.tier_params == ["preset", "crf"]


def test_defaults_fill_what_a_tier_does_not_set_and_bad_values_are_refused() -> None:
    assert EncodeParams.model_validate({"preset": "slow"}) == EncodeParams(preset="slow", crf=23)
    with pytest.raises(ValidationError):
        EncodeParams.model_validate({"crf": 99})
    with pytest.raises(ValidationError):
        EncodeParams.model_validate({"crff": 20})
    assert issubclass(EncodeParams, TierParams)
