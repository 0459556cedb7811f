"""A breakdown fans out into one Veo payload per shot: in parallel, cached per shot, and a
changed ingredient re-executes only the payloads of the shots that use it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from canvas_server.engine.executor import Executor
from canvas_server.engine.record import RunRecord
from canvas_server.graph.prompt import ApiPrompt
from function_runners.local import LocalRunner
from function_runners.result_cache import ResultCache
from function_runners.tiers import load_tiers
from nodes.production.domain import VeoPayload
from nodes.sdk import discover

PACKS = ["core", "production"]
EXPECTED = Path(__file__).parent / "expected"


def forty_shot_script() -> str:
    scenes = []
    for scene in range(1, 11):
        beats = [f"MARA checks the map in room {scene}, beat {beat}." if beat % 2 else
                 f"Rain hits window {scene} for beat {beat}." for beat in range(1, 5)]
        scenes.append(f"INT. ROOM {scene} - NIGHT\n\n" + "\n\n".join(beats))
    return "Title: Forty\n\n" + "\n\n".join(scenes) + "\n"


def graph(script: Path, trait: str) -> ApiPrompt:
    return ApiPrompt.model_validate({
        "ing": {"class_type": "production.ingredient", "inputs": {
            "kind": "Character", "name": "MARA", "traits": f"appearance: {trait}", "store_in_project": False}},
        "bd": {"class_type": "production.script_breakdown", "inputs": {
            "script": str(script), "ingredients": ["ing", 0]}},
        "pay": {"class_type": "production.veo_payload", "inputs": {"shot": ["bd", 1], "save_take": False}},
    })


def run_all(tmp_path: Path, graphs: list[ApiPrompt]) -> list[RunRecord]:
    async def scenario() -> list[RunRecord]:
        runner = LocalRunner(workers=1, load_plugins=PACKS)
        await runner.start()
        try:
            executor = Executor(registry=discover(only=PACKS), runner=runner,
                                cache=ResultCache(tmp_path / "cache", tmp_path), tiers=load_tiers(),
                                workspace=tmp_path, allowed_dirs=[tmp_path], load_plugins=PACKS)
            return [await executor.run(g, targets=["pay"]) for g in graphs]
        finally:
            await runner.close()

    return asyncio.run(scenario())


def statuses(record: RunRecord) -> list[str]:
    return [item.status for item in record.nodes["pay"].items or []]


def test_forty_shots_fan_out_rerun_caches_all_and_a_trait_change_reruns_only_mara_shots(tmp_path: Path) -> None:
    script = tmp_path / "forty.fountain"
    script.write_text(forty_shot_script())
    first, again, changed = run_all(tmp_path, [graph(script, "red coat"), graph(script, "red coat"),
                                               graph(script, "green coat")])
    assert first.status == "completed", first.errors
    payloads: list[dict[str, Any]] = first.nodes["pay"].outputs["payload"]  # type: ignore[index]
    assert len(payloads) == 40 and statuses(first) == ["completed"] * 40
    for payload in payloads:
        VeoPayload.model_validate(payload)
    assert again.nodes["pay"].status == "cached" and statuses(again) == ["cached"] * 40
    mara = [i for i, p in enumerate(payloads) if "MARA" in p["request"]["instances"][0]["prompt"]]
    assert len(mara) == 20
    assert [i for i, s in enumerate(statuses(changed)) if s == "completed"] == mara
    assert "green coat" in changed.nodes["pay"].outputs["payload"][mara[0]]["request"]["instances"][0]["prompt"]  # type: ignore[index]


def test_a_payload_matches_the_hand_checked_file_byte_for_byte(tmp_path: Path) -> None:
    prompt = ApiPrompt.model_validate({
        "mara": {"class_type": "production.ingredient", "inputs": {
            "kind": "Character", "name": "Mara", "description": "a courier",
            "traits": "voice: low and dry\nappearance: red coat, brass compass", "store_in_project": False}},
        "market": {"class_type": "production.ingredient", "inputs": {
            "kind": "Location", "name": "Night Market", "traits": "weather: light rain", "store_in_project": False}},
        "world": {"class_type": "production.world", "inputs": {"genre": "noir fantasy", "tone": "melancholic"}},
        "style": {"class_type": "production.style_guide", "inputs": {
            "palette": "#0b1d3a, #f2a65a", "mood": "lonely", "lighting": "sodium lamps"}},
        "shot": {"class_type": "production.shot", "inputs": {
            "description": "Mara weaves through the crowd.", "duration": 5.0, "size": "medium shot",
            "movement": "tracking", "lens": "50mm", "dialogue": 'MARA: "North. Always north."',
            "slot1": ["mara", 0], "slot2": ["market", 0]}},
        "pay": {"class_type": "production.veo_payload", "inputs": {
            "shot": ["shot", 0], "world": ["world", 0], "style": ["style", 0], "seed": 42,
            "negative_prompt": "text overlays", "save_take": False}},
    })
    record = run_all(tmp_path, [prompt])[0]
    assert record.status == "completed", record.errors
    payload = VeoPayload.model_validate(record.nodes["pay"].outputs["payload"])  # type: ignore[index]
    produced = json.dumps(payload.model_dump(mode="json", by_alias=True, exclude_none=True), indent=2) + "\n"
    assert produced == (EXPECTED / "mara_market_payload.json").read_text(encoding="utf-8")
