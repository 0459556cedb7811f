"""docker-compose.yml is valid (checked by `docker-compose config`) and has what we deploy."""

from __future__ import annotations

import shutil
import subprocess
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


def _config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(_compose_config("--profile", "monitoring"))
    return loaded


def test_compose_defines_the_server_redis_and_one_runner_per_tier() -> None:
    services = _config()["services"]
    assert {"server", "redis", "runner-low", "runner-standard", "runner-high", "flower"} <= set(services)
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
    for name in ("server", "redis", "runner-low", "runner-standard", "runner-high"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("server", "runner-low", "runner-standard", "runner-high"):
        assert any(str(v).startswith("workspace:/workspace") for v in services[name]["volumes"]) or any(
            isinstance(v, dict) and v.get("source") == "workspace" for v in services[name]["volumes"]), name


def test_the_dockerfiles_build_the_images_compose_names() -> None:
    runner = (REPO_ROOT / "function_runners" / "Dockerfile").read_text()
    assert "AS runner-cpu" in runner and "AS runner-gpu" in runner and "ffmpeg" in runner
    server = (REPO_ROOT / "Dockerfile.server").read_text()
    assert "/app/web/dist" in server
