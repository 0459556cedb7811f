"""Celery configuration: routing by tier through task_routes, delivery guarantees, retries."""

from __future__ import annotations

import pytest
import redis

from function_runners.celery_app import RUN_NODE, create_app
from function_runners.celery_runner import BrokerUnavailableError, CeleryRunner, safe_broker
from function_runners.celery_tasks import runner_label
from function_runners.local import LocalRunner
from function_runners.select import make_runner
from function_runners.settings import CelerySettings


def _payload(tier: str) -> dict[str, object]:
    return {"task": {"tier": tier, "type": "test.sleep"}}


@pytest.mark.parametrize("tier", ["low", "standard", "high"])
def test_run_node_is_routed_to_the_queue_of_its_tier(tier: str) -> None:
    app = create_app(CelerySettings(broker_url="redis://127.0.0.1:1/0"))
    route = app.amqp.router.route({}, RUN_NODE, (), _payload(tier))
    assert route["queue"].name == f"auteur.{tier}"
    assert route["queue"].routing_key == f"auteur.{tier}"


def test_routing_is_configuration_not_an_attribute_of_the_task() -> None:
    app = create_app(CelerySettings(broker_url="redis://127.0.0.1:1/0"))
    assert getattr(app.tasks[RUN_NODE], "queue", None) is None
    assert app.conf.task_routes


def test_an_unknown_tier_falls_back_to_the_standard_queue() -> None:
    app = create_app(CelerySettings(broker_url="redis://127.0.0.1:1/0"))
    assert app.amqp.router.route({}, RUN_NODE, (), _payload("ultra"))["queue"].name == "auteur.standard"


def test_tasks_are_acknowledged_late_and_requeued_when_their_worker_dies() -> None:
    conf = create_app(CelerySettings(broker_url="redis://127.0.0.1:1/0")).conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_max_tasks_per_child == 200
    assert conf.result_expires == 24 * 3600


def test_a_worker_killed_while_sweeping_holds_back_redelivery_for_seconds_not_minutes() -> None:
    """The sweep's lock (kombu's `unacked_mutex`) outlives a killed holder by its expiry only."""
    conf = create_app(CelerySettings(broker_url="redis://127.0.0.1:1/0")).conf
    assert conf.broker_transport_options["unacked_mutex_expire"] <= 10


def test_visibility_timeout_and_result_expiry_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTEUR_BROKER_URL", "redis://cache.internal:6380/2")
    monkeypatch.setenv("AUTEUR_CELERY_VISIBILITY_TIMEOUT_S", "43200")
    monkeypatch.setenv("AUTEUR_CELERY_RESULT_EXPIRES_S", "600")
    conf = create_app(CelerySettings()).conf
    assert conf.broker_url == "redis://cache.internal:6380/2"
    assert conf.result_backend == "redis://cache.internal:6380/2"
    assert conf.broker_transport_options["visibility_timeout"] == 43200
    assert conf.result_expires == 600


def test_only_transient_broker_errors_are_retried_with_backoff() -> None:
    task = create_app(CelerySettings(broker_url="redis://127.0.0.1:1/0")).tasks[RUN_NODE]
    assert set(task.autoretry_for) == {redis.ConnectionError, redis.TimeoutError}
    assert task.retry_backoff is True and task.retry_jitter is True
    assert task.max_retries == 5


def test_the_runner_label_names_the_tier_the_host_and_the_process() -> None:
    assert runner_label("high", "gpu-box", 4242) == "celery:high:gpu-box:4242"


def test_make_runner_picks_celery_only_when_a_broker_url_is_set() -> None:
    assert isinstance(make_runner(broker_url=None, workers=1), LocalRunner)
    celery = make_runner(broker_url="redis://:secret@queue.example:6390/1", celery_capacity=4)
    assert isinstance(celery, CeleryRunner)
    assert celery.capacity("high") == 4
    assert "secret" not in celery.name and celery.name == "celery:redis://queue.example:6390/1"


def test_broker_urls_are_shown_without_credentials() -> None:
    assert safe_broker("redis://user:pw@10.0.0.5:6379/0") == "redis://10.0.0.5:6379/0"


def test_broker_unavailable_has_a_stable_code() -> None:
    assert BrokerUnavailableError("down").code == "broker_unavailable"


def test_auteur_worker_without_a_broker_url_says_how_to_set_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from canvas_server.cli.main import app

    monkeypatch.delenv("AUTEUR_BROKER_URL", raising=False)
    result = CliRunner().invoke(app, ["worker", "--tier", "high"])
    assert result.exit_code == 2
    assert "AUTEUR_BROKER_URL" in result.output


def test_auteur_worker_refuses_an_unknown_tier(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from canvas_server.cli.main import app

    monkeypatch.setenv("AUTEUR_BROKER_URL", "redis://127.0.0.1:1/0")
    result = CliRunner().invoke(app, ["worker", "--tier", "ultra"])
    assert result.exit_code == 2
    assert "unknown tier 'ultra'" in result.output
