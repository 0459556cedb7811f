"""Fixtures of the previz tests: the registry with the production pack, a fresh workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from nodes.sdk import NodeRegistry, discover


@pytest.fixture(scope="session")
def registry() -> NodeRegistry:
    found = discover(only=["core", "media", "audio", "production"])
    assert not found.failures, found.failures
    return found


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    (root / "media").mkdir(parents=True)
    return root
