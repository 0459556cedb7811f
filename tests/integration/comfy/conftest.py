"""A real `auteur serve` with the ComfyUI API on a free port, shared by a test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..server_harness import ServerProcess, free_port
from .comfy_client import ComfyClient


@pytest.fixture(scope="module")
def comfy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path_factory.mktemp("ws"), comfyui_port=free_port()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def comfy(comfy_server: ServerProcess) -> Iterator[ComfyClient]:
    client = ComfyClient(f"127.0.0.1:{comfy_server.comfyui_port}")
    client.connect()
    try:
        yield client
    finally:
        client.close()
