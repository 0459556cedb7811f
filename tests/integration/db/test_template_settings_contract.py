"""The template records' and the ComfyUI settings' contract, held by both stores (files in the
workspace, PostgreSQL shared by replicas): what one server saves another reads next, the first
saver stays a template's author, two servers writing at once both keep their change, and hostile
text (NUL, lone surrogates, control characters, a path as an id) round-trips or is not found."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from canvas_server.db import connect
from canvas_server.db.templates import PgTemplates, PgUserSettings
from canvas_server.governance import Principal
from canvas_server.server.template_store import (
    TemplateExistsError,
    TemplateNotFoundError,
    TemplateStore,
)
from canvas_server.server.user_settings import SettingsFiles, UserSettings

Stores = Callable[[], tuple[TemplateStore, UserSettings]]
ANA, CY = (Principal(name=name, role="creator", maturity="STUDENT") for name in ("ana", "cy"))


@pytest.fixture(params=["file", "postgresql"])
def open_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Stores:
    """Each call: one server's stores over the same state."""
    builtin = tmp_path / "builtin"
    builtin.mkdir()
    (builtin / "storyboard.json").write_text('{"name": "Storyboard", "workflow": {}}')
    if request.param == "file":
        return lambda: (TemplateStore(tmp_path / "Pipeline_Templates", builtin), SettingsFiles(tmp_path / "state"))
    url = request.getfixturevalue("migrated_url")

    def shared() -> tuple[TemplateStore, UserSettings]:
        engine = connect(url)
        return TemplateStore(PgTemplates(engine), builtin), PgUserSettings(engine)

    return shared


def _template(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": "", "version": "1", "parameters": [], "requires": [], "workflow": {},
            **extra}


def test_a_template_saved_by_one_server_is_read_by_another_and_keeps_its_first_author(open_stores: Stores) -> None:
    (a, _), (b, _) = open_stores(), open_stores()
    assert [(t.id, t.source) for t in b.list()] == [("storyboard", "builtin")]
    a.save(_template("Rough Cut", description="first"), author="ana")
    b.save(_template("Rough Cut", description="second"), author="cy")  # the same name replaces it
    summary, data = a.get("rough-cut")
    assert (summary.source, data["description"], a.author("rough-cut"), b.author("rough-cut")) == (
        "workspace", "second", "ana", "ana")
    with pytest.raises(TemplateExistsError):
        b.save(_template("rough cut!"), author="cy")  # another name with the same id
    a.save(_template("Storyboard", description="ours"), author="ana")  # the workspace's copy wins
    assert b.get("storyboard")[1]["description"] == "ours"
    assert sorted((t.id, t.source) for t in b.list()) == [
        ("rough-cut", "workspace"), ("storyboard", "builtin"), ("storyboard", "workspace")]
    assert b.author("nobody") is None


def test_templates_saved_at_once_by_two_servers_all_keep_their_author(open_stores: Stores) -> None:
    servers = [open_stores(), open_stores()]

    def save_many(index: int) -> None:
        author = ("ana", "cy")[index]
        for number in range(15):
            servers[index][0].save(_template(f"{author} {number}"), author=author)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(save_many, range(2)))
    store = servers[0][0]
    authors = {t.id: store.author(t.id) for t in store.list() if t.source == "workspace"}
    assert len(authors) == 30 and all(author and template.startswith(author) for template, author in authors.items())


def test_hostile_text_round_trips_and_an_id_that_is_a_path_is_not_found(open_stores: Stores) -> None:
    (a, settings), (b, other) = open_stores(), open_stores()
    hostile = "nul\x00 \ud800 \x1b[31m ' ; DROP TABLE templates; --"
    a.save(_template("Hostile", description=hostile, workflow={hostile: [hostile]}), author="ana")
    assert b.get("hostile")[1] == _template("Hostile", description=hostile, workflow={hostile: [hostile]})
    for template_id in ("../builtin/storyboard", "../../etc/passwd", "hostile.json", ""):
        with pytest.raises(TemplateNotFoundError):
            b.get(template_id)
    settings.update(ANA, {hostile: hostile, "Comfy.Locale": "fr"})
    assert other.read(ANA) == {hostile: hostile, "Comfy.Locale": "fr"} and other.read(CY) == {}


def test_settings_changed_on_two_servers_at_once_all_stay_and_each_principal_has_its_own(
        open_stores: Stores) -> None:
    (_, a), (_, b) = open_stores(), open_stores()
    a.update(ANA, {"Comfy.Locale": "en", "Comfy.Theme": "dark"})
    b.update(ANA, {"Comfy.Locale": "fr"})  # one key changed, the others kept
    assert a.read(ANA) == {"Comfy.Locale": "fr", "Comfy.Theme": "dark"}

    def change(index: int) -> None:
        (a, b)[index % 2].update(CY, {f"Setting.{index}": index})

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(change, range(40)))
    assert b.read(CY) == {f"Setting.{index}": index for index in range(40)}
    assert a.read(ANA) == {"Comfy.Locale": "fr", "Comfy.Theme": "dark"}
