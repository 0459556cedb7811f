"""The API prompt: what runs (ComfyUI's API format with our node type ids)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel


class PromptNode(BaseModel):
    """One node of an API prompt. A linked input is `[source_node_id, output_slot]`."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    class_type: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    meta: dict[str, Any] | None = Field(default=None, alias="_meta")
    tier: str | None = Field(default=None, description="Pin this node to a quality tier")


class ApiPrompt(RootModel[dict[str, PromptNode]]):
    """`{"<node_id>": {"class_type": ..., "inputs": {...}}}`."""

    def nodes(self) -> dict[str, PromptNode]:
        return self.root

    def dump(self) -> dict[str, Any]:
        dumped: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return dumped


def as_link(value: Any) -> tuple[str, int] | None:
    """`(node_id, slot)` when `value` is a link `[id, slot]`, else None."""
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and isinstance(value[0], (str, int))
        and not isinstance(value[0], bool)
        and isinstance(value[1], int)
        and not isinstance(value[1], bool)
    ):
        return str(value[0]), value[1]
    return None
