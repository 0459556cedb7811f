"""Fixtures shared by the integration tests: either runner (local pool or Celery workers),
and a real `auteur serve` with an HTTP client (a module overrides `server` to change its env)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from .conftest_postgres import _migrated, database_url, migrated_url, postgres
from .conftest_runners import celery_cluster, runner_factory
from .conftest_storage import s3_url, stored_clients, stored_server
from .server_harness import ServerProcess, running_server

__all__ = ["_migrated", "celery_cluster", "client", "database_url", "migrated_url", "postgres", "runner_factory", "s3_url",
           "server", "stored_clients", "stored_server"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("ws")) as server:
        yield server


@pytest.fixture
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client
