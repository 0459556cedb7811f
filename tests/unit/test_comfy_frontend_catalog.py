"""What ComfyUI's frontend can draw and show, from the catalog we serve it."""

from __future__ import annotations

from pathlib import Path

from canvas_server.comfy.catalog import link_types, object_info, socket_type
from canvas_server.comfy.outputs import ui_output
from nodes.sdk import ANY, sockets_compatible
from nodes.sdk._registry import discover


def frontend_accepts(output: str, input_: str) -> bool:
    """litegraph's `LiteGraph.isValidConnection` as ComfyUI's frontend 1.58 ships it."""
    if output in ("", ANY) or input_ in ("", ANY) or output == input_:
        return True
    outs, ins = output.lower().split(","), input_.lower().split(",")
    return any(a == b for a in outs for b in ins)


def test_every_link_the_server_accepts_can_be_drawn_and_none_it_refuses() -> None:
    registry = discover()
    info = object_info(registry)
    declared = link_types(registry.specs())
    pairs = 0
    for spec in registry.specs():
        for output in spec.socket_outputs:
            for target in registry.specs():
                for item in target.inputs:
                    drawn = frontend_accepts(declared[output.type], socket_type(item))
                    assert drawn == sockets_compatible(output.type, item.type), (spec.type, output.name, target.type, item.name)
                    pairs += 1
    assert pairs > 1000
    assert info["core.integer"]["output"][0].split(",")[0] == "INT"
    assert "FLOAT" in info["core.integer"]["output"][0].split(",")


def test_int_into_float_and_media_into_video_are_drawable() -> None:
    declared = link_types(discover().specs())
    assert frontend_accepts(declared["INT"], "FLOAT")
    assert not frontend_accepts(declared["FLOAT"], "INT")
    assert frontend_accepts(declared["MEDIA"], "VIDEO") and frontend_accepts(declared["MEDIA"], "AUDIO")
    assert not frontend_accepts(declared["VIDEO"], "AUDIO")


def test_a_shown_number_is_text_and_a_file_returned_twice_is_listed_once(tmp_path: Path) -> None:
    media = {"path": "Projects/p/renders/thumb.png", "sha256": "0" * 64, "mime": "image/png", "kind": "image"}
    assert ui_output(tmp_path, {"value": 5}) == {"text": ["5"]}
    assert ui_output(tmp_path, {"value": {"a": "é"}}) == {"text": ['{"a": "é"}']}
    shown = ui_output(tmp_path, {"thumbnail": media, "frames": [media], "note": "ok"})
    assert shown == {"images": [{"filename": "thumb.png", "subfolder": "Projects/p/renders", "type": "output"}],
                     "text": ["ok"]}
