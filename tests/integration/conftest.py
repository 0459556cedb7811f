"""Fixtures shared by the integration tests: either runner (local pool or Celery workers)."""

from .conftest_runners import celery_cluster, runner_factory

__all__ = ["celery_cluster", "runner_factory"]
