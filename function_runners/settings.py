"""The runners' settings (`AUTEUR_BROKER_URL`, `AUTEUR_CELERY_*`), apart from Celery itself so
that the server reads them without importing Celery when no broker is configured."""

from __future__ import annotations

from pydantic import Field

from nodes.sdk import SharedSettings

DEFAULT_BROKER = "redis://127.0.0.1:6379/0"


class CelerySettings(SharedSettings):
    """Celery runner settings, read from `AUTEUR_BROKER_URL` and `AUTEUR_CELERY_*` (the
    server's Settings extend them: each is declared once)."""

    broker_url: str | None = Field(None, description="Redis URL; when set, nodes run on Celery workers")
    database_url: str | None = Field(None, description="PostgreSQL URL (postgresql://user:pass@host/db) for the run queue and history, the event log, the audit log, the API tokens and the result cache's index (the workers' too), shared by server replicas; unset: SQLite files in the workspace (one server)")
    celery_result_backend: str | None = Field(None, description="Result store (default: the broker)")
    celery_visibility_timeout_s: int = Field(
        6 * 3600, description="Seconds before an unacknowledged task is redelivered; "
        "must exceed the longest node run")
    celery_restore_interval_s: int = Field(
        10, description="Seconds between sweeps that redeliver tasks of dead workers")
    celery_result_expires_s: int = Field(24 * 3600, description="Seconds task results are kept")
    celery_max_tasks_per_child: int = Field(
        200, description="Tasks a worker process runs before it is replaced (frees memory)")
    celery_cancel_grace_s: float = Field(
        0.5, description="Seconds a cancelled node may take to stop before its process group is killed")
    celery_max_deliveries: int = Field(
        3, description="Starts of one task (crash redeliveries) before it is reported failed")
    celery_retry_max: int = Field(5, description="Retries of a task after a transient broker error")

    @property
    def broker(self) -> str:
        """The broker a worker or a client connects to (a local Redis unless configured)."""
        return self.broker_url or DEFAULT_BROKER
