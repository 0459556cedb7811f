"""docker-compose.yml is valid (checked by `docker-compose config`) and has what we deploy: the
Celery workers per tier, and two server replicas behind a reverse proxy with PostgreSQL, MinIO
(its bucket created) and Redis, each dependency waited for through its health check."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


def _compose_config(*args: str) -> str:
    binary = shutil.which("docker-compose")
    assert binary is not None, "install docker-compose (Debian: apt-get install docker-compose)"
    done = subprocess.run([binary, "-f", str(REPO_ROOT / "docker-compose.yml"), *args, "config"],
                          capture_output=True, text=True, cwd=REPO_ROOT, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@cache  # one `docker-compose config` (about 2 s) for the module
def _config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(_compose_config("--profile", "monitoring"))
    return loaded


def test_compose_defines_the_servers_redis_and_one_runner_per_tier() -> None:
    services = _config()["services"]
    assert {"server-a", "server-b", "redis", "runner-low", "runner-standard", "runner-high", "flower"} <= set(services)
    for tier in ("low", "standard", "high"):
        command = services[f"runner-{tier}"]["command"]
        assert command[:2] == ["--tier", tier]
        assert services[f"runner-{tier}"]["environment"]["AUTEUR_BROKER_URL"] == "redis://redis:6379/0"


def test_the_high_tier_reserves_a_gpu_and_uses_the_gpu_image() -> None:
    high = _config()["services"]["runner-high"]
    devices = high["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["capabilities"] == ["gpu"]
    assert high["build"]["target"] == "runner-gpu"
    assert _config()["services"]["runner-low"]["build"]["target"] == "runner-cpu"


def test_flower_only_starts_under_the_monitoring_profile() -> None:
    assert _config()["services"]["flower"]["profiles"] == ["monitoring"]


def test_every_service_but_flower_has_a_healthcheck_and_shares_the_workspace() -> None:
    services = _config()["services"]
    for name in ("server-a", "server-b", "redis", "runner-low", "runner-standard", "runner-high"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("server-a", "server-b", "runner-low", "runner-standard", "runner-high"):
        assert any(str(v).startswith("workspace:/workspace") for v in services[name]["volumes"]) or any(
            isinstance(v, dict) and v.get("source") == "workspace" for v in services[name]["volumes"]), name


def test_the_dockerfiles_build_the_images_compose_names() -> None:
    runner = (REPO_ROOT / "function_runners" / "Dockerfile").read_text()
    assert "AS runner-cpu" in runner and "AS runner-gpu" in runner and "ffmpeg" in runner
    server = (REPO_ROOT / "Dockerfile.server").read_text()
    assert "/app/web/dist" in server


REPLICAS = ("server-a", "server-b")


def _depends(service: dict[str, Any]) -> dict[str, str]:
    """{service it depends on: condition} (the short list form means service_started)."""
    found = service.get("depends_on") or {}
    if isinstance(found, list):
        return dict.fromkeys(found, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in found.items()}


def test_two_replicas_share_postgres_16_minio_and_redis_and_wait_for_each_to_be_ready() -> None:
    services = _config()["services"]
    assert services["postgres"]["image"].startswith("postgres:16")
    a, b = (services[name] for name in REPLICAS)
    assert a["image"] == b["image"] == "auteur-server" and a["command"] == b["command"] == ["serve"]
    assert a["environment"] == b["environment"]
    env = a["environment"]
    assert env["AUTEUR_DATABASE_URL"].startswith("postgresql://") and "@postgres:5432/" in env["AUTEUR_DATABASE_URL"]
    assert env["AUTEUR_EVENTS_URL"].startswith("redis://redis:6379/")
    assert env["AUTEUR_S3_ENDPOINT_URL"] == "http://minio:9000" and env["AUTEUR_S3_BUCKET"]
    assert env["AUTEUR_HOST"] == "0.0.0.0"  # so tokens are required
    for replica in (a, b):
        assert _depends(replica) == {"redis": "service_healthy", "postgres": "service_healthy",
                                     "migrate": "service_completed_successfully",
                                     "minio-bucket": "service_completed_successfully"}
        assert "8000" in str(replica["healthcheck"]["test"]) and "ports" not in replica  # reached through the proxy
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["environment"]["AUTEUR_DATABASE_URL"] == env["AUTEUR_DATABASE_URL"]
    for tier in ("low", "standard", "high"):  # the result cache's index: workers read the servers' entries
        assert services[f"runner-{tier}"]["environment"]["AUTEUR_DATABASE_URL"] == env["AUTEUR_DATABASE_URL"]


def test_the_bucket_the_servers_and_workers_store_media_in_is_the_one_created_at_start() -> None:
    services = _config()["services"]
    bucket = services["server-a"]["environment"]["AUTEUR_S3_BUCKET"]
    assert f"mc mb --ignore-existing local/{bucket}" in " ".join(services["minio-bucket"]["command"])
    assert _depends(services["minio-bucket"]) == {"minio": "service_healthy"}
    assert "mc" in str(services["minio"]["healthcheck"]["test"])
    for tier in ("low", "standard", "high"):  # takes are saved where nodes run: on the workers
        runner = services[f"runner-{tier}"]
        assert runner["environment"]["AUTEUR_S3_BUCKET"] == bucket
        assert _depends(runner)["minio-bucket"] == "service_completed_successfully"
    credentials = services["minio"]["environment"]
    assert services["server-a"]["environment"]["AUTEUR_S3_ACCESS_KEY_ID"] == credentials["MINIO_ROOT_USER"]


def test_one_proxy_address_spreads_http_websockets_and_comfyui_over_both_healthy_replicas() -> None:
    services = _config()["services"]
    proxy = services["proxy"]
    assert _depends(proxy) == dict.fromkeys(REPLICAS, "service_healthy")
    assert proxy["healthcheck"]["test"] and any("nginx.conf" in str(volume) for volume in proxy["volumes"])
    conf = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    for port in ("8000", "8188"):
        assert all(f"server {name}:{port}" in conf for name in REPLICAS), port
    assert "proxy_set_header Upgrade $http_upgrade" in conf and "proxy_set_header Connection $connection_upgrade" in conf
    assert "non_idempotent" not in conf  # a POST is never sent to a second replica


def test_every_dependency_is_defined_and_waited_for_by_its_health_or_its_completion() -> None:
    services = _config()["services"]
    for name, service in services.items():
        for needed, condition in _depends(service).items():
            assert needed in services, f"{name} depends on an unknown {needed}"
            if condition == "service_healthy":
                assert services[needed].get("healthcheck", {}).get("test"), f"{name} waits for {needed}'s health"
            else:
                assert condition == "service_completed_successfully", f"{name} → {needed}: {condition}"
                assert services[needed].get("restart") == "no", f"{needed} is a one-shot job"
