"""Run one node in this process, as a runner process would (`execute_task` with the tier's
parameters), for benchmarks that time a node against the command line it replaces."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from function_runners.execute import execute_task
from function_runners.task import NodeTask
from function_runners.tiers import load_tiers
from nodes.sdk import ModelCache, NodeRegistry, discover


class NodeBench:
    """Nodes of `packs`, each call in its own scratch folder under `root`; models stay warm."""

    def __init__(self, root: Path, packs: list[str]) -> None:
        self.root = root
        self.registry: NodeRegistry = discover(only=packs)
        self.models = ModelCache()
        self.tiers = load_tiers()
        self.count = 0

    def node(self, type_id: str, inputs: dict[str, Any], tier: str = "standard") -> dict[str, Any]:
        spec = self.registry.spec(type_id)
        if spec is None:
            raise RuntimeError(f"{type_id}: not among the loaded packs")
        self.count += 1
        task = NodeTask(run_id="bench", node_id=str(self.count), type=type_id, version=spec.version,
                        inputs=inputs, tier=tier, tier_params=self.tiers.params_for(tier, type_id),
                        scratch_dir=str(self.root / "scratch" / str(self.count)),
                        # The bench folder plays the run's project: its media and earlier
                        # outputs (under scratch/) are inside the run's roots.
                        workspace_root=str(self.root), project_root=str(self.root))
        result = execute_task(task, self.registry, self.models, runner="bench")
        if result.error is not None or result.outputs is None:
            raise RuntimeError(f"{type_id}: {result.error.message if result.error else 'no outputs'}")
        return result.outputs

    def raw_dir(self) -> Path:
        """A fresh folder for the baseline command's output."""
        self.count += 1
        folder = self.root / "raw" / str(self.count)
        folder.mkdir(parents=True)
        return folder


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started
