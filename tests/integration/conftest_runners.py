"""Fixtures that give the executor tests either runner: the local process pool or real
Celery workers (a real Redis and one `auteur worker` per tier). tests/integration/conftest.py
makes them available to every integration test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from function_runners.base import Runner
from function_runners.celery_runner import CeleryRunner
from function_runners.local import LocalRunner

from .celery_cluster import Cluster, start_cluster
from .executor_helpers import PACKS

RunnerFactory = Callable[[], Runner]


@pytest.fixture(scope="module")
def celery_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = start_cluster(tmp_path_factory.mktemp("celery"))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["local", pytest.param("celery", marks=pytest.mark.slow)])
def runner_factory(request: pytest.FixtureRequest) -> RunnerFactory:
    """Makes an unstarted runner of the parametrised kind (start it inside the test's loop)."""
    if request.param == "local":
        return lambda: LocalRunner(workers=2, load_plugins=PACKS)
    cluster: Cluster = request.getfixturevalue("celery_cluster")
    return lambda: CeleryRunner(cluster.broker_url)


def runner_kind(runner: Runner) -> str:
    return "celery" if isinstance(runner, CeleryRunner) else "local"


__all__ = ["celery_cluster", "runner_factory"]  # the fixtures a test module star-imports
