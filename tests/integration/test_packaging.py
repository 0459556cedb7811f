"""The distribution users install (and the Docker images build) carries its data files."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_wheel_ships_the_templates_tiers_and_all_three_packages(tmp_path: Path) -> None:
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-q", str(REPO), "-w", str(tmp_path)], capture_output=True, text=True,
                           timeout=300)
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("auteur_canvas-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {name for name in (REPO / "workspace_templates").rglob("*")
                 if name.is_file() and "__pycache__" not in name.parts}
    expected = {str(path.relative_to(REPO)) for path in templates}
    assert expected <= names, sorted(expected - names)
    assert "function_runners/tiers.toml" in names
    assert {"canvas_server/server/app.py", "nodes/sdk/__init__.py", "nodes/core/values.py"} <= names
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "auteur = canvas_server.cli.main:app" in text and "core = nodes.core" in text
