"""One real `auteur serve` for the editorial tests (each test module works in its own project)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..server_harness import ServerProcess, running_server


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("ws")) as server:
        yield server
