"""Node discovery through the `auteur.nodes` entry points."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nodes.sdk import discover


def _write_pack(root: Path, dist: str, pack: str, module: str, source: str) -> None:
    info = root / f"{dist}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[auteur.nodes]\n{pack} = {module}\n")
    (root / f"{module}.py").write_text(source)


@pytest.fixture
def broken_pack(tmp_path: Path) -> Iterator[str]:
    _write_pack(tmp_path, "broken-pack", "broken", "auteur_broken_pack",
                "raise ImportError('needs libfoo 2.0, found 1.3')\n")
    sys.path.insert(0, str(tmp_path))
    yield "broken"
    sys.path.remove(str(tmp_path))
    sys.modules.pop("auteur_broken_pack", None)


def test_builtin_core_pack_is_registered_through_its_entry_point() -> None:
    registry = discover(only=["core"])
    assert {"core.text", "core.integer", "core.float", "core.boolean", "core.add",
            "core.join_text", "core.show"} <= set(registry.packs["core"])
    assert registry.spec("core.show").output_node is True  # type: ignore[union-attr]


def test_a_third_party_pack_installed_as_a_distribution_is_discovered() -> None:
    registry = discover(only=["testpack"])
    assert registry.spec("test.sleep").pack == "testpack"  # type: ignore[union-attr]
    assert "core.add" not in registry


def test_load_plugins_filter_limits_the_packs_loaded() -> None:
    registry = discover(only=["core"])
    assert set(registry.packs) == {"core"}


def test_a_pack_that_fails_to_import_is_reported_with_its_error_and_others_still_load(
    broken_pack: str,
) -> None:
    registry = discover(only=["core", broken_pack])
    assert "core.add" in registry
    [failure] = registry.failures
    assert (failure.pack, failure.error_type) == ("broken", "ImportError")
    assert failure.message == "needs libfoo 2.0, found 1.3"
    assert "auteur_broken_pack" in failure.traceback
