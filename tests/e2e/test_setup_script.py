"""`scripts/install_system_deps.sh` (run by `make setup` and by CI) on a machine that lacks the
system packages: as root it installs every one with apt-get; without root or password-less sudo
it stops with the one command to run. The machine is simulated with a PATH of stand-ins."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "install_system_deps.sh"
NEEDED = ["make", "git", "git-lfs", "ffmpeg", "espeak-ng", "sox", "redis-server", "chromium", "docker-compose"]


def stand_in(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/bash\n{body}\n")
    path.chmod(0o755)


def run_on_bare_machine(tmp_path: Path, uid: int) -> tuple[subprocess.CompletedProcess[str], Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-calls.txt"
    stand_in(bin_dir, "id", f"echo {uid}")
    stand_in(bin_dir, "apt-get", f'echo "$@" >> {calls}')
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    bash = "/bin/bash"
    result = subprocess.run([bash, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30)
    return result, calls


def test_as_root_every_missing_package_is_installed_with_apt_get(tmp_path: Path) -> None:
    result, calls = run_on_bare_machine(tmp_path, uid=0)
    assert result.returncode == 0, result.stderr
    update, install = calls.read_text().splitlines()
    assert update == "update -qq"
    assert install.startswith("install -y -qq --no-install-recommends ")
    assert set(NEEDED) <= set(install.split())
    assert "installing system packages" in result.stdout


def test_without_root_or_sudo_it_stops_with_the_one_command_to_run(tmp_path: Path) -> None:
    result, calls = run_on_bare_machine(tmp_path, uid=1000)
    assert result.returncode == 1
    assert not calls.exists()  # nothing was attempted
    command = next(line.strip() for line in result.stderr.splitlines() if "apt-get install" in line)
    assert command.startswith("sudo apt-get update && sudo apt-get install -y --no-install-recommends ")
    assert set(NEEDED) <= set(command.split())


def test_on_this_machine_every_package_is_present_after_setup() -> None:
    result = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=600,
                            env={**os.environ}, check=True)
    assert "all present" in result.stdout or "installed" in result.stdout
