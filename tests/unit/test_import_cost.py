"""What loads with what: the node catalog loads no heavy library (a node's run imports its
own), `auteur --help` loads neither pydantic nor the server nor a node pack, and neither
`auteur run` nor the server loads the Celery runner without a broker, nor GitPython before a
project's history is touched. Each case runs in a fresh interpreter, where `sys.modules`
tells the truth."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ["torch", "faster_whisper", "demucs", "google.genai", "ollama", "soco", "spotipy", "celery", "redis",
         "numpy", "reportlab"]


def _loaded_after(code: str, candidates: list[str]) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {candidates!r} if m in sys.modules]))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_loading_the_whole_node_catalog_imports_no_heavy_library() -> None:
    code = "from nodes.sdk import discover\nregistry = discover()\nassert not registry.failures, registry.failures"
    assert _loaded_after(code, HEAVY) == []


def test_auteur_help_imports_no_pydantic_server_or_node_pack() -> None:
    code = ("import sys\nsys.argv = ['auteur', '--help']\nfrom canvas_server.cli.main import app\n"
            "try:\n    app()\nexcept SystemExit:\n    pass")
    assert _loaded_after(code, ["pydantic", "fastapi", "uvicorn", "nodes.sdk", "canvas_server.server"]) == []


def test_the_server_imports_no_celery_without_a_broker_and_git_only_for_git_work() -> None:
    assert _loaded_after("import canvas_server.server.serving", ["celery", "torch", "google.genai", "ollama", "git"]) == []


def test_auteur_run_of_a_core_graph_loads_only_the_core_pack_and_no_git(tmp_path: Path) -> None:
    graph = tmp_path / "graph.json"
    graph.write_text(json.dumps({"1": {"class_type": "core.integer", "inputs": {"value": 2}},
                                 "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}))
    code = (f"import os, sys\nos.environ['AUTEUR_WORKSPACE'] = {str(tmp_path / 'ws')!r}\n"
            f"sys.argv = ['auteur', 'run', {str(graph)!r}, '--json']\n"
            "from canvas_server.cli.main import app\ntry:\n    app()\nexcept SystemExit as exit:\n"
            "    assert exit.code == 0, exit.code")
    packs = ["nodes.media", "nodes.audio", "nodes.production", "nodes.speaker", "git", "fastapi"]
    assert _loaded_after(code, packs) == []


def test_mounting_the_pack_routes_at_start_up_imports_no_spotipy_or_soco() -> None:
    code = ("from fastapi import FastAPI\nfrom canvas_server.settings import Settings\n"
            "from canvas_server.server.packs import mount_pack_routes\nfrom nodes.sdk import discover\n"
            "app = FastAPI()\nmount_pack_routes(app, discover(), Settings())\n"
            "assert any(path.startswith('/api/packs/speaker/') for path in app.openapi()['paths'])")
    assert _loaded_after(code, ["spotipy", "soco", "redis"]) == []


def test_building_the_server_app_imports_no_mcp_sdk_until_an_agent_calls(tmp_path: Path) -> None:
    """The MCP SDK is half a second of imports: it loads on the first /mcp request, never at start."""
    code = (f"import os\nos.environ['AUTEUR_WORKSPACE'] = {str(tmp_path / 'ws')!r}\n"
            "from canvas_server.server.app import create_app\napp = create_app()\n"
            "assert any(getattr(route, 'path', '') == '/mcp' for route in app.router.routes)")
    assert _loaded_after(code, ["mcp", "mcp_types"]) == []
