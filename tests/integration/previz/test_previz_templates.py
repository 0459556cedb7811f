"""The previz templates load, validate as the server would, and declare what they need."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
GRAPHS = REPO / "workspace_templates" / "graphs"
AUTEUR = str(Path(sys.executable).with_name("auteur"))


@pytest.mark.parametrize(("slug", "needs"), [
    ("audio_to_animatic", {"audio.transcribe", "production.segments_to_shots", "production.veo_payload",
                           "production.animatic", "production.platform_variants"}),
    ("run_a_scene", {"production.script_breakdown", "production.scene_shots", "production.veo_payload",
                     "production.veo_generate", "production.animatic"}),
])
def test_the_template_loads_and_validates(slug: str, needs: set[str], tmp_path: Path) -> None:
    path = GRAPHS / f"{slug}.json"
    template = json.loads(path.read_text())
    assert needs <= {item["type"] for item in template["requires"]}
    result = subprocess.run([AUTEUR, "validate", str(path), "--json"], capture_output=True, text=True,
                            cwd=REPO, timeout=120, check=False,
                            env={"AUTEUR_WORKSPACE": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())})
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == {"ok": True, "errors": []}
