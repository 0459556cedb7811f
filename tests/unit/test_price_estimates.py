"""Price models (nodes.sdk.providers.PriceModel) and a graph's cost before it runs
(canvas_server.graph.cost): per second, per image, per call, by quality tier; counts read from the
node, from the node it links from, or its defaults (then approximate); a node fed list items
priced per item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from canvas_server.graph.cost import graph_costs
from canvas_server.graph.load import load_graph, load_graph_file
from nodes.sdk import NodeRegistry, discover
from nodes.sdk.providers import PriceModel, Spend, budget_message, over_budget, price_of

TEMPLATES = Path(__file__).resolve().parents[2] / "workspace_templates" / "graphs"


@pytest.fixture(scope="module")
def registry() -> NodeRegistry:
    return discover()


def test_a_price_counts_units_from_the_inputs_and_takes_the_tiers_rate() -> None:
    price = PriceModel(provider="box", unit="image", usd=0.5, by_tier={"high": 2.0}, counts=("count", "batches"))
    assert price.estimate({"count": 3, "batches": 2}).usd == 3.0
    assert price.estimate({"count": 3, "batches": 2}, "high").usd == 12.0
    assert price.estimate({"count": 3, "batches": 2}, "low").unit == "images"
    assert price.units({"count": 3}) == (3.0, False)  # a missing count counts as 1 and is not known
    assert price.units({"count": True, "batches": 2}) == (2.0, False)  # a boolean is no count


def test_every_provider_node_declares_its_price_model(registry: NodeRegistry) -> None:
    priced = {spec.type: price_of(registry.get(spec.type) or object) for spec in registry.specs()}
    units = {name: price.unit for name, price in priced.items() if price is not None}
    assert units == {"providers.higgsfield_video": "second", "providers.suno_generate": "call",
                     "providers.comfyui_remote": "call", "providers.omnigen2_image": "image",
                     "production.veo_generate": "second"}
    # the catalog says which types charge (the editor asks for an estimate only of those graphs)
    assert {spec.type for spec in registry.specs() if spec.priced} == set(units)


def test_a_count_comes_from_the_linked_node_and_an_unknown_one_is_approximate(registry: NodeRegistry) -> None:
    prompt: dict[str, Any] = {
        "1": {"class_type": "production.veo_payload", "inputs": {"shot": ["9", 0], "sample_count": 2}},
        "2": {"class_type": "production.veo_generate", "inputs": {"payload": ["1", 0]}},
        "3": {"class_type": "providers.omnigen2_image", "inputs": {"instruction": "a", "count": 3, "shot_path": "x"}},
    }
    costs = {cost.type: cost for cost in graph_costs(load_graph(prompt, registry).prompt, registry, "standard")}
    veo = costs["production.veo_generate"]
    assert (veo.units, veo.usd, veo.approximate) == (16.0, 6.4, True)  # 2 samples × Veo's longest 8 s at $0.40
    omnigen = costs["providers.omnigen2_image"]
    assert (omnigen.units, omnigen.unit, omnigen.usd, omnigen.approximate) == (3.0, "images", 0.0, False)


def test_the_music_video_prices_its_song_once_and_each_clip_per_shot(registry: NodeRegistry) -> None:
    loaded = load_graph_file(TEMPLATES / "music_video.json", registry)
    costs = {cost.type: cost for cost in graph_costs(loaded.prompt, registry, "standard")}
    suno, clip = costs["providers.suno_generate"], costs["providers.higgsfield_video"]
    assert (suno.usd, suno.per_item, suno.approximate) == (0.12, False, False)
    # One clip per sung phrase (known when the song is heard); its length is the shot's.
    assert (clip.per_item, clip.approximate, clip.unit) == (True, True, "seconds")


def test_over_budget_is_what_is_left_and_the_message_names_both() -> None:
    spend = Spend(budget_usd=1.0, by_provider={"suno": 0.24})
    assert not over_budget(0.76, spend) and over_budget(0.77, spend)
    assert budget_message("This run", 0.77, spend) == (
        "This run would cost about $0.77, more than is left of the project's budget ($0.76 of $1.00; $0.24 spent); "
        "raise settings.budgetUsd or make the run smaller")
    assert not over_budget(1e6, Spend(budget_usd=None, by_provider={}))
