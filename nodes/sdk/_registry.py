"""Node discovery through the `auteur.nodes` entry-point group, and the resulting registry."""

from __future__ import annotations

import importlib.metadata
import inspect
import traceback
import types
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from ._errors import NodeDefinitionError
from ._node import Node, spec_of
from ._pack import Pack, pack_of
from ._spec import NodeSpec

ENTRY_POINT_GROUP = "auteur.nodes"


class PackFailure(BaseModel):
    """A node pack that could not be loaded, reported in the catalog instead of skipped."""

    pack: str
    target: str
    error_type: str
    message: str
    traceback: str = ""


class NodeRegistry:
    """Node classes by type id, the packs' other contributions (`hooks`), and the packs that
    failed to load."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Node]] = {}
        self._specs: dict[str, NodeSpec] = {}
        self.failures: list[PackFailure] = []
        self.packs: dict[str, list[str]] = {}
        self.hooks: dict[str, Pack] = {}

    def add(self, cls: type[Node], pack: str = "") -> NodeSpec:
        spec = spec_of(cls)
        if spec is None:
            raise NodeDefinitionError(cls.__qualname__, "it is not decorated with @node(...)")
        existing = self._classes.get(spec.type)
        if existing is not None and existing is not cls:
            raise NodeDefinitionError(
                cls.__qualname__,
                f"type id {spec.type!r} is already registered by "
                f"{existing.__module__}.{existing.__qualname__}",
            )
        spec = spec.model_copy(update={"pack": pack})
        self._classes[spec.type] = cls
        self._specs[spec.type] = spec
        self.packs.setdefault(pack, []).append(spec.type)
        return spec

    def get(self, type_id: str) -> type[Node] | None:
        return self._classes.get(type_id)

    def spec(self, type_id: str) -> NodeSpec | None:
        return self._specs.get(type_id)

    def specs(self) -> list[NodeSpec]:
        return sorted(self._specs.values(), key=lambda spec: spec.type)

    def __contains__(self, type_id: object) -> bool:
        return type_id in self._classes

    def __len__(self) -> int:
        return len(self._classes)


def node_classes_of(obj: Any) -> list[type[Node]]:
    """Node classes offered by an entry point: a module (its `NODES`, else its decorated
    classes) or a callable returning node classes."""
    if isinstance(obj, types.ModuleType):
        declared = getattr(obj, "NODES", None)
        if declared is not None:
            return list(declared)
        return [
            value
            for value in vars(obj).values()
            if inspect.isclass(value) and issubclass(value, Node) and spec_of(value) is not None
        ]
    if callable(obj):
        return list(obj())
    raise TypeError(f"entry point gave {type(obj).__name__}; expected a module or a callable")


def _entry_points() -> Iterable[importlib.metadata.EntryPoint]:
    return importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)


def pack_failure(pack: str, target: str, exc: BaseException) -> PackFailure:
    return PackFailure(
        pack=pack,
        target=target,
        error_type=type(exc).__name__,
        message=str(exc),
        traceback="".join(traceback.format_exception(exc)),
    )


def load_pack(registry: NodeRegistry, name: str, load: Callable[[], Any], target: str) -> None:
    """Import one pack, register its nodes and keep its hooks; any failure is recorded,
    never raised."""
    try:
        loaded = load()
        hooks = pack_of(loaded)
        for cls in node_classes_of(loaded):
            registry.add(cls, pack=name)
        if hooks is not None:
            registry.hooks[name] = hooks
    # A third-party pack may raise anything at import; it must not take the server down,
    # and it is reported with its error rather than skipped silently.
    except Exception as exc:
        registry.failures.append(pack_failure(name, target, exc))


def discover(only: Iterable[str] | None = None) -> NodeRegistry:
    """Build a registry from the `auteur.nodes` entry points (optionally only some packs)."""
    wanted = {name.strip() for name in only if name.strip()} if only is not None else None
    registry = NodeRegistry()
    seen: set[str] = set()
    for entry_point in sorted(_entry_points(), key=lambda ep: ep.name):
        if entry_point.name in seen or (wanted is not None and entry_point.name not in wanted):
            continue
        seen.add(entry_point.name)
        load_pack(registry, entry_point.name, entry_point.load, entry_point.value)
    return registry
