"""The seams between the server and the node packs: the server and the CLI import no pack,
each setting is declared once, and a pack's hooks are found through its entry point."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from canvas_server.settings import Settings
from nodes.sdk import Pack, PackSettings, SharedSettings, discover, split_list
from nodes.speaker.config import SpeakerConfig
from nodes.speaker.spotify.login import SpotifyLogin

PACK_MODULES = ("nodes.core", "nodes.media", "nodes.audio", "nodes.production", "nodes.speaker")
HEAVY = ("soco", "spotipy")


def _modules_after_import(module: str) -> list[str]:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    loaded: list[str] = json.loads(done.stdout)
    return loaded


@pytest.mark.parametrize("module", ["canvas_server.server.app", "canvas_server.cli.main"])
def test_importing_the_server_or_the_cli_loads_no_node_pack_nor_its_libraries(module: str) -> None:
    loaded = _modules_after_import(module)
    assert module in loaded
    assert [name for name in loaded if name.split(".")[0] in HEAVY] == []
    assert [name for name in loaded if name.startswith(PACK_MODULES)] == []


def _declared_settings() -> dict[str, list[str]]:
    """Every settings model the project declares (the server's, each pack's) by field."""
    models: list[type[PackSettings]] = [Settings]
    models += [hooks.settings for hooks in discover().hooks.values() if hooks.settings is not None]
    owners: dict[str, list[str]] = {}
    for model in models:
        for name, info in model.model_fields.items():
            # A field inherited unchanged (Settings extends the shared and Celery settings)
            # is the same declaration, found once through its declaring class.
            declaring = next(base for base in reversed(model.__mro__)
                             if name in getattr(base, "__annotations__", {}))
            owners.setdefault(name, [])
            if declaring.__qualname__ not in owners[name]:
                owners[name].append(declaring.__qualname__)
            assert info.description, f"{model.__qualname__}.{name} has no description"
    return owners


def test_every_setting_is_declared_once_across_the_server_and_the_packs() -> None:
    owners = _declared_settings()
    assert {"secret_key", "load_plugins", "broker_url", "spotify_client_id", "sonos_hosts",
            "gcp_project", "whisper_model_dir", "ollama_url"} <= set(owners)
    assert {name: where for name, where in owners.items() if len(where) > 1} == {}


def test_the_packs_own_their_settings_and_the_server_declares_none_of_them() -> None:
    assert "spotify_client_id" in SpeakerConfig.model_fields
    assert not {"spotify_client_id", "sonos_hosts", "public_url", "gcp_project", "whisper_model_dir"} & set(
        Settings.model_fields)


def test_every_list_setting_has_one_syntax_commas_never_colons(monkeypatch: pytest.MonkeyPatch) -> None:
    assert split_list(" a, b,,c ") == ["a", "b", "c"] and split_list(["x"]) == ["x"]
    monkeypatch.setenv("AUTEUR_SONOS_HOSTS", "fe80::1, 192.168.1.20")
    monkeypatch.setenv("AUTEUR_LOOPBACK_HOSTS", "::1,127.0.0.1")
    monkeypatch.setenv("AUTEUR_LOAD_PLUGINS", "core, media")
    assert SpeakerConfig().sonos_hosts == ["fe80::1", "192.168.1.20"]
    settings = Settings()
    assert settings.loopback_hosts == ["::1", "127.0.0.1"] and settings.load_plugins == ["core", "media"]
    assert SharedSettings().load_plugins == ["core", "media"]


def test_the_speaker_pack_declares_its_routes_commands_and_settings_in_its_entry_point() -> None:
    registry = discover(only=["speaker", "core"])
    hooks = registry.hooks["speaker"]
    assert isinstance(hooks, Pack) and hooks.settings is SpeakerConfig
    assert hooks.routes is not None and hooks.commands is not None
    assert "core" not in registry.hooks  # a pack without hooks contributes nodes only


def test_a_pack_whose_pack_is_not_a_pack_is_reported_with_its_error() -> None:
    from nodes.sdk._registry import NodeRegistry, load_pack

    module = types.ModuleType("broken")
    module.NODES = []  # type: ignore[attr-defined]
    module.PACK = {"routes": None}  # type: ignore[attr-defined]
    registry = NodeRegistry()
    load_pack(registry, "broken", lambda: module, "broken.module")
    assert registry.hooks == {} and registry.failures[0].pack == "broken"
    assert "nodes.sdk.Pack" in registry.failures[0].message


def test_the_spotify_authorize_url_asks_for_playback_current_track_library_and_playlists(tmp_path) -> None:
    config = SpeakerConfig(spotify_client_id="id", spotify_client_secret=SecretStr("secret"),
                           spotify_redirect_uri="http://127.0.0.1:8000/api/packs/speaker/spotify/callback")
    url = SpotifyLogin(config, tmp_path, Fernet(Fernet.generate_key())).authorize_url("alice")
    scope = parse_qs(urlparse(url).query)["scope"][0]
    assert scope == ("user-read-playback-state user-modify-playback-state user-read-currently-playing "
                     "user-library-read playlist-read-private")


def test_a_pack_whose_routes_hook_fails_is_reported_and_the_others_still_mount(tmp_path) -> None:
    from fastapi import APIRouter, FastAPI

    from canvas_server.server.packs import mount_pack_routes
    from nodes.sdk import NodeRegistry, PackRoutes

    def broken(host: object) -> PackRoutes:
        raise RuntimeError("no routes today")

    def working(host: object) -> PackRoutes:
        router = APIRouter()
        router.add_api_route("/hello", lambda: {"hello": "world"})
        return PackRoutes(authorized=router)

    registry = NodeRegistry()
    registry.hooks = {"broken": Pack(routes=broken), "fine": Pack(routes=working)}
    app = FastAPI()
    mount_pack_routes(app, registry, Settings(workspace=tmp_path))
    mounted = len(app.router.routes)
    mount_pack_routes(app, registry, Settings(workspace=tmp_path))  # a second lifespan: no-op
    assert len(app.router.routes) == mounted
    operations = app.openapi()["paths"]
    assert list(operations) == ["/api/packs/fine/hello"] and list(operations["/api/packs/fine/hello"]) == ["get"]
    assert [(f.pack, f.error_type, f.message) for f in registry.failures] == [
        ("broken", "RuntimeError", "no routes today")]
