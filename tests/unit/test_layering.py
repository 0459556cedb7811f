"""The layering of docs/architecture.md §1, asserted on the import graph (every import statement, at any
depth in a module, relative imports resolved): the run queue, the engine and the graph layer
never reach up into the web app; node packs import nothing of the project but the SDK; the
workspace imports no plugin pack."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> Iterator[str]:
    """Every module `path` imports, absolute."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for item in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(item, ast.Import):
            yield from (alias.name for alias in item.names)
        elif isinstance(item, ast.ImportFrom):
            if item.level:
                base = package.split(".")
                base = base[: len(base) - item.level + 1]
                yield ".".join([*base, item.module] if item.module else base)
            elif item.module:
                yield item.module


def modules_under(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def violations(folder: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    found = []
    for path in modules_under(folder):
        for name in imports_of(path):
            if name.startswith(forbidden) and not name.startswith(allowed):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("layer", ["canvas_server/runs", "canvas_server/engine", "canvas_server/graph"])
def test_the_run_queue_engine_and_graph_layer_never_import_the_web_app(layer: str) -> None:
    assert modules_under(layer), f"{layer} has no modules"
    assert violations(layer, ("canvas_server.server",)) == []


def test_node_packs_import_nothing_of_the_project() -> None:
    assert violations("nodes", ("canvas_server", "function_runners")) == []


@pytest.mark.parametrize("layer", ["canvas_server", "function_runners"])
def test_the_server_and_the_runners_reach_node_packs_only_through_the_sdk(layer: str) -> None:
    """A pack contributes through its entry point (`nodes.sdk.Pack`); the server and the
    runners never import `nodes.<pack>`, so an absent pack breaks nothing."""
    assert violations(layer, ("nodes",), allowed=("nodes.sdk",)) == []


PACKS = sorted(path.name for path in (ROOT / "nodes").iterdir()
               if (path / "__init__.py").is_file() and path.name != "sdk")


@pytest.mark.parametrize("pack", PACKS)
def test_a_node_pack_imports_no_other_pack_only_the_sdk(pack: str) -> None:
    """What packs share lives in the SDK (`nodes.sdk.ffmpeg`, `nodes.sdk.transcript`): a pack
    loads, and is left out, on its own."""
    assert violations(f"nodes/{pack}", ("nodes",), allowed=("nodes.sdk", f"nodes.{pack}")) == []


def test_the_sdk_imports_no_node_pack() -> None:
    assert violations("nodes/sdk", ("nodes",), allowed=("nodes.sdk",)) == []


def test_the_checker_sees_an_import_of_a_pack() -> None:
    """The rule above would pass vacuously if `from nodes.speaker import x` were missed."""
    assert "nodes.speaker.config" in set(imports_of(ROOT / "nodes/speaker/spotify/login.py"))


def test_the_checker_sees_relative_imports() -> None:
    """The rule above would pass vacuously if relative imports were not resolved."""
    names = set(imports_of(ROOT / "canvas_server/server/routes/runs.py"))
    assert "canvas_server.server.submission" in names
    assert "canvas_server.runs.store" in names
    assert "canvas_server.graph.check" in set(imports_of(ROOT / "canvas_server/server/run_submit.py"))
