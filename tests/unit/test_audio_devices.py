"""Tier device preferences resolve to a device the model libraries accept on this machine."""

from __future__ import annotations

import ctranslate2
import torch

from function_runners.tiers import load_tiers
from nodes.audio.devices import ctranslate2_device, torch_device


def test_explicit_devices_pass_through() -> None:
    assert torch_device("cpu") == "cpu" and ctranslate2_device("cuda") == "cuda"


def test_auto_picks_a_device_torch_can_compute_on() -> None:
    device = torch_device("auto")
    assert (torch.ones(2, device=device) * 2).sum().item() == 4.0


def test_auto_picks_a_device_ctranslate2_supports() -> None:
    assert ctranslate2.get_supported_compute_types(ctranslate2_device("auto"))


def test_only_the_high_tier_asks_for_a_gpu_when_one_is_present() -> None:
    tiers = load_tiers()
    for node in ("audio.transcribe", "audio.stems"):
        assert [tiers.params_for(t, node)["device"] for t in ("low", "standard", "high")] == ["cpu", "cpu", "auto"]
