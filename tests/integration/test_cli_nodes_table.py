"""`auteur nodes` in an 80-column terminal: every type id whole (it is what a user types into
a graph), the table no wider than the terminal."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from .server_harness import AUTEUR


def _auteur(workspace: Path, *args: str) -> str:
    env = {**os.environ, "AUTEUR_WORKSPACE": str(workspace), "COLUMNS": "80", "TERM": "dumb"}
    done = subprocess.run([*AUTEUR, *args], env=env, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def test_auteur_nodes_shows_every_whole_type_id_at_80_columns(tmp_path: Path) -> None:
    types = [node["type"] for node in json.loads(_auteur(tmp_path, "nodes", "--json"))["nodes"]]
    assert "audio.normalize" in types and "production.platform_variants" in types
    table = _auteur(tmp_path, "nodes")
    first_cells = {line.split()[0] for line in table.splitlines() if line.strip()}
    assert [type_id for type_id in types if type_id not in first_cells] == []
    assert "…" not in table
    assert max(len(line.rstrip()) for line in table.splitlines()) <= 80
