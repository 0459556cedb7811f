"""The Scene tab (a scene's shots with their active takes) and the properties inspector's form
generated from the catalog, editing the node's widgets."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from nodes.sdk import ModelCache, PathSandbox, RunContext, SavedTake
from nodes.sdk.takes import SceneCoords

from .conftest import EditorPage, make_media


def _run(url: str, project: str, prompt: dict[str, Any]) -> None:
    run = httpx.post(
        f"{url}/api/runs", json={"graph": prompt, "project": project}, timeout=30
    ).json()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        record = httpx.get(f"{url}/api/runs/{run['run_id']}", timeout=10).json()
        if record["status"] in ("completed", "failed", "cancelled"):
            assert record["status"] == "completed", record
            return
        time.sleep(0.2)
    raise AssertionError("the run did not finish")


def _takes_of(url: str, project: str, clip: str, shots: list[int]) -> None:
    prompt: dict[str, Any] = {"1": {"class_type": "media.load", "inputs": {"path": clip}}}
    for index, shot in enumerate(shots, start=2):
        prompt[str(index)] = {
            "class_type": "production.save_take",
            "inputs": {"media": ["1", 0], "chapter": 1, "scene": 1, "shot": shot},
        }
    _run(url, project, prompt)


def _scene_take(root: Path) -> SavedTake:
    """The scene's own take (what production.animatic saves), through the one take service."""
    context = RunContext(
        run_id="run-animatic", node_id="7", type_id="production.animatic", tier="low", tier_params={},
        workspace_root=root.parent.parent, sandbox=PathSandbox([root]), scratch_dir=root / "05_Cache",
        models=ModelCache(), project=root.name, project_root=root, graph_hash="g", emit=lambda kind, data: None,
    )
    return context.takes.save(SceneCoords(1, 1), b"animatic", suffix=".mp4", inputs={"fps": 24})


def test_the_scene_tab_shows_the_selected_scenes_shots_with_their_active_takes(
    editor: EditorPage, project: str, tmp_path: Path
) -> None:
    url = editor.server.url
    assets = []
    for name, seconds in (("plate.mp4", 1), ("retake.mp4", 2)):
        clip = make_media("video", tmp_path / name, seconds=seconds)
        with clip.open("rb") as handle:
            assets.append(httpx.post(
                f"{url}/api/projects/{project}/assets",
                data={"category": "Objects"},
                files={"file": (name, handle, "video/mp4")},
                timeout=30,
            ).json())
    _takes_of(url, project, assets[0]["path"], [1, 2])
    # Shot 1 gets a second take from other bytes (the same bytes again would be the same take).
    _takes_of(url, project, assets[1]["path"], [1])
    animatic = _scene_take(editor.server.workspace / "Projects" / project)
    editor.open(project)
    editor.page.get_by_role("button", name="Project", exact=True).click()
    scene_row = editor.page.locator("[data-testid=project-tree] [data-kind=scene]").first
    scene_row.wait_for()
    editor.shot("project tree")
    scene_row.locator("button.label").click()
    view = editor.page.locator("[data-testid=scene-view]")
    cards = view.locator("[data-testid=scene-shot]")
    cards.nth(1).wait_for()
    # The scene's animatic is the scene's take, not a third shot waiting for its first take.
    assert cards.count() == 2 and "No take yet" not in view.inner_text()
    assert view.locator("header").inner_text().endswith("2 shots")
    view.get_by_test_id("scene-take").click()
    summary = editor.page.get_by_test_id("provenance-summary")
    assert animatic.provenance.run_id in summary.inner_text()
    assert '"fps": 24' in editor.page.get_by_test_id("provenance").inner_text()
    takes = {
        s["shot"]: s
        for s in httpx.get(f"{url}/api/projects/{project}/takes", timeout=10).json()["shots"]
    }
    for card in cards.all():
        shot = takes[card.get_attribute("data-shot") or ""]
        active = next((t for t in shot["takes"] if t["active"]), shot["takes"][-1])
        assert card.get_attribute("data-active-take") == str(active["number"])
        assert card.locator("button[data-take]").count() == len(shot["takes"])
    editor.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=scene-shot] video')].every((v) => v.readyState >= 1)"
    )
    editor.shot("scene with its shots and active takes")

    first = cards.first
    shot_name = first.get_attribute("data-shot") or ""
    other = next(
        t["number"]
        for t in takes[shot_name]["takes"]
        if str(t["number"]) != first.get_attribute("data-active-take")
    )
    first.locator(f"button[data-take='{other}']").click()
    editor.page.get_by_test_id("make-active").click()
    editor.page.wait_for_function(
        "([shot, take]) => document.querySelector(`[data-testid=scene-shot][data-shot='${shot}']`)?.dataset.activeTake === String(take)",
        arg=[shot_name, other],
    )
    assert next(
        t
        for t in httpx.get(f"{url}/api/projects/{project}/takes", timeout=10).json()["shots"]
        if t["shot"] == shot_name
    )["takes"][other - 1]["active"]
    editor.shot("another take made active")


def test_the_inspector_form_follows_the_catalog_and_edits_the_nodes_widgets(
    editor: EditorPage, project: str, tmp_path: Path
) -> None:
    still = make_media("image", tmp_path / "hero.png").read_bytes()
    url = editor.server.url
    httpx.post(
        f"{url}/api/projects/{project}/assets",
        data={"category": "Characters"},
        files={"file": ("hero.png", still, "image/png")},
        timeout=30,
    ).raise_for_status()
    editor.open(project)
    box = editor.page.locator("[data-testid=graph-canvas]").bounding_box()
    assert box is not None
    reframe = editor.add_by_search("reframe", "media.reframe", (box["x"] + 100, box["y"] + 120))
    trim = editor.add_by_search("trim", "media.trim", (box["x"] + 420, box["y"] + 120))
    text = editor.add_by_search("text", "core.text", (box["x"] + 100, box["y"] + 420))
    load = editor.add_by_search("load media", "media.load", (box["x"] + 420, box["y"] + 420))
    form = editor.page.locator("[data-testid=inspector]")

    def widget(node: str, name: str) -> Any:
        return editor.eval(
            "([id, name]) => window.__auteur.editor.nodeById(id).widgets.find((w) => w.name === name).value",
            [node, name],
        )

    editor.select_node(reframe)
    short = form.locator("#in-short_side")
    assert (
        short.get_attribute("type"),
        short.get_attribute("min"),
        short.get_attribute("max"),
    ) == ("number", "16", "4320")
    assert short.get_attribute("step") == "1"
    short.fill("720")
    short.press("Tab")
    assert widget(reframe, "short_side") == 720
    short.fill("9000")  # over the catalog's max: kept to 4320, as the canvas widget would
    short.press("Tab")
    assert widget(reframe, "short_side") == 4320 and short.input_value() == "4320"
    follow = form.locator("#in-follow_x")
    assert (follow.get_attribute("min"), follow.get_attribute("max")) == ("0", "1")
    follow.fill("0.25")
    follow.press("Tab")
    assert widget(reframe, "follow_x") == 0.25
    aspect = form.locator("select#in-aspect")
    assert aspect.locator("option").all_inner_texts()[:3] == ["16:9", "9:16", "4:5"]
    aspect.select_option("9:16")
    assert widget(reframe, "aspect") == "9:16"
    editor.shot("number and enum fields")

    editor.select_node(trim)
    toggle = form.locator("input#in-accurate[type=checkbox]")
    was = toggle.is_checked()
    toggle.click()
    assert widget(trim, "accurate") is (not was)
    editor.shot("toggle")

    editor.select_node(text)
    area = form.locator("textarea#in-value")
    area.fill("INT. LIGHTHOUSE - NIGHT\nThe lamp turns.")
    area.press("Tab")
    assert widget(text, "value") == "INT. LIGHTHOUSE - NIGHT\nThe lamp turns."
    editor.shot("multiline text")

    editor.select_node(load)
    picker = form.locator("[data-testid=asset-picker]")
    options = picker.locator("option").evaluate_all("(o) => o.map((e) => e.value).filter(Boolean)")
    assert options == ["01_Assets/Characters/hero.png"]
    picker.select_option("01_Assets/Characters/hero.png")
    assert widget(load, "path") == "01_Assets/Characters/hero.png"
    assert form.locator("#in-path").input_value() == "01_Assets/Characters/hero.png"
    editor.shot("asset picked for the path")
    assert editor.eval("() => window.__auteur.dirty") is True

    # A script input picks among the project's screenplays, not its assets.
    httpx.post(f"{url}/api/projects/{project}/documents/scripts", timeout=30,
               json={"filename": "pilot.fountain", "content": "INT. ROOM - DAY\n\nA door.\n"}).raise_for_status()
    breakdown = editor.add_by_search("script breakdown", "production.script_breakdown", (box["x"] + 700, box["y"] + 300))
    editor.select_node(breakdown)
    scripts = form.locator("[data-testid=asset-picker][data-picks=script]")
    scripts.locator("option[value='02_Source_Creative/Scripts/pilot.fountain']").wait_for(state="attached")
    options = scripts.locator("option").evaluate_all("(o) => o.map((e) => e.value).filter(Boolean)")
    assert options == ["02_Source_Creative/Scripts/pilot.fountain"]
    scripts.select_option("02_Source_Creative/Scripts/pilot.fountain")
    assert widget(breakdown, "script") == "02_Source_Creative/Scripts/pilot.fountain"
    editor.shot("a screenplay picked for the script input")
