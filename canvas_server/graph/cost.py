"""What a graph will cost before it runs: every node whose type declares a price model
(`nodes.sdk.providers.PriceModel`) priced from the values it will run with.

A count (a clip's seconds, the images asked for) is read from the node's own widget value; a
linked input takes the same-named widget of the node it links from (a Veo payload's
`sample_count`); else the input's default, else the price model's own default, and the node's
estimate says it is approximate. A node fed a list item by item runs once per item, a number
only the run knows: its estimate is for one item and says so.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from nodes.sdk import NodeRegistry
from nodes.sdk.providers import PriceModel, price_of

from .prompt import ApiPrompt, PromptNode, as_link


class NodeCost(BaseModel):
    node_id: str
    type: str
    provider: str
    usd: float = Field(description="Estimated US dollars for one run of the node (one item when per_item)")
    units: float = Field(description="What the price counts (seconds of video, images, calls)")
    unit: str
    per_item: bool = Field(description="Runs once per item of a linked list: the total counts one item")
    approximate: bool = Field(description="A count was not known before the run; its default was used")


def graph_costs(prompt: ApiPrompt, registry: NodeRegistry, tier: str) -> list[NodeCost]:
    """The estimate of every priced node of `prompt` on `tier` (a node's pinned tier wins)."""
    costs = []
    for node_id, item in prompt.nodes().items():
        node_type = registry.get(item.class_type)
        price = price_of(node_type) if node_type is not None else None
        if price is None:
            continue
        values, known = _count_values(item, price, prompt, registry)
        estimate = price.estimate(values, item.tier or tier)
        costs.append(NodeCost(node_id=node_id, type=item.class_type, provider=estimate.provider, usd=estimate.usd,
                              units=estimate.units, unit=estimate.unit, per_item=_fed_per_item(item, prompt, registry),
                              approximate=not known))
    return costs


def _count_values(item: PromptNode, price: PriceModel, prompt: ApiPrompt,
                  registry: NodeRegistry) -> tuple[dict[str, Any], bool]:
    """The counts' values, and whether all were known (else the price model's defaults count)."""
    sources = [prompt.nodes()[link[0]] for value in item.inputs.values()
               if (link := as_link(value)) is not None and link[0] in prompt.nodes()]
    values: dict[str, Any] = {}
    for name in price.counts:
        own = item.inputs.get(name)
        link = as_link(own) if own is not None else None
        if own is not None and link is None:
            values[name] = own
            continue
        linked = [prompt.nodes()[link[0]]] if link is not None and link[0] in prompt.nodes() else sources
        upstream = next((source.inputs[name] for source in linked
                         if name in source.inputs and as_link(source.inputs[name]) is None), None)
        if upstream is None and link is None:
            upstream = _default(registry, item.class_type, name)  # a widget left out runs with its default
        if upstream is not None:
            values[name] = upstream
    replaced = any(as_link(item.inputs.get(by)) is not None for name, by in price.replaced_by.items()
                   if name in price.counts)
    return values, price.units(values)[1] and not replaced


def _default(registry: NodeRegistry, node_type: str, name: str) -> Any:
    spec = registry.spec(node_type)
    field = spec.input(name) if spec is not None else None
    return field.default if field is not None and field.has_default else None


def _fed_per_item(item: PromptNode, prompt: ApiPrompt, registry: NodeRegistry) -> bool:
    """An item-typed input linked to a list output: the node fans out over the list."""
    spec = registry.spec(item.class_type)
    for name, value in item.inputs.items():
        link = as_link(value)
        source = prompt.nodes().get(link[0]) if link is not None else None
        if link is None or source is None or spec is None:
            continue
        source_spec = registry.spec(source.class_type)
        outputs = source_spec.socket_outputs if source_spec is not None else []
        target = spec.input(name)
        if 0 <= link[1] < len(outputs) and outputs[link[1]].is_list and target is not None and not target.is_list:
            return True
    return False
