"""Fixtures of the previz tests: the registry with the production pack, a fresh workspace."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nodes.sdk import NodeRegistry, discover

from .vertex_double import VertexDouble, serve, vertex_env

# Variables that would steer google-genai or the HTTP clients away from the double.
FOREIGN_ENV = ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_LOCATION",
               "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")


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


@pytest.fixture
def vertex(tmp_path: Path) -> Iterator[tuple[VertexDouble, dict[str, str]]]:
    """The Vertex/OAuth/GCS double running, and the whole environment for a child process
    (server or `auteur run`) that should reach it."""
    double = VertexDouble()
    server = serve(double)
    double.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN_ENV}
    env.update(vertex_env(double, tmp_path / "service-account.json"))
    yield double, env
    server.shutdown()
