"""Embedded language model benchmark (issue 22): the load (first in a process, from the converted
model), first-token latency and tokens per second — free text and under a JSON Schema — and the
end-to-end time of each agent node on a small project, all on this machine's CPU (torch's threads;
`taskset -c 0,1 python -m bench llm` for 2 cores). The baseline in the same process is the free
decoding: the grammar's cost is the schema run's tokens/s against it."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from nodes.sdk import ModelCache
from nodes.sdk.llm import Completion, LLMSettings, language_model, user

from .node_bench import NodeBench

MEDIEVAL = {"name": "Westmark", "genre": "fantasy", "tone": "grim", "tech_level": "medieval", "magic_system": "none"}
MARA = {"id": "character-mara", "kind": "Character", "name": "Mara", "description": "a ferrywoman"}
AGENT_RUNS: dict[str, dict[str, Any]] = {
    "agents.narrative": {"prompt": "Mara ferries a stranger across the river at dawn", "words": 60,
                         "world": MEDIEVAL, "character_1": MARA},
    "agents.location_designer": {"brief": "a fishing village on a cliff", "name": "Gull Rock", "world": MEDIEVAL},
    "agents.consistency_check": {"content": "Mara rows across the river. She draws a laser pistol.",
                                 "world": MEDIEVAL},
    "agents.scribe": {"story": "A ferrywoman hides a runaway prince from the king's riders.", "kind": "logline",
                      "title": "Grey River", "voice": "Spare, warm, hopeful."},
}


class Place(BaseModel):
    name: str = Field(max_length=40)
    description: str = Field(max_length=300)
    landmarks: list[str] = Field(min_length=1, max_length=3)


def _rate(completion: Completion) -> float:
    decoding = completion.total_s - (completion.first_token_s or 0.0)
    return (completion.completion_tokens - 1) / decoding if decoding > 0 else 0.0


def main() -> None:
    models = ModelCache()
    started = time.perf_counter()
    model = language_model(models, LLMSettings(llm_provider="embedded"))
    print(f"load (import, converted weights, tokenizer, grammar tokenizer): {time.perf_counter() - started:.1f} s")
    prompt = [user("Describe a fishing village on a cliff above a stormy sea.")]
    model.complete(prompt, max_tokens=8)  # warm the kernels
    free = model.complete(prompt, max_tokens=64, temperature=0.0)
    shaped = model.complete(prompt, schema=Place.model_json_schema(), max_tokens=96, temperature=0.0)
    print(f"first token: free {free.first_token_s or 0:.2f} s, under the schema {shaped.first_token_s or 0:.2f} s "
          f"(prompt {free.prompt_tokens} tokens)")
    print(f"decoding: free {_rate(free):.1f} tokens/s, under the schema {_rate(shaped):.1f} tokens/s "
          f"(ratio {_rate(shaped) / max(_rate(free), 1e-9):.2f}; forced tokens ride along)")
    with tempfile.TemporaryDirectory() as tmp:
        bench = NodeBench(Path(tmp), ["agents"])
        bench.models = models
        for type_id, inputs in AGENT_RUNS.items():
            started = time.perf_counter()
            bench.node(type_id, inputs)
            print(f"{type_id}: {time.perf_counter() - started:.1f} s end to end")


if __name__ == "__main__":
    main()
