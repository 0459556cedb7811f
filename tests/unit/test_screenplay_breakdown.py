"""Screenplay breakdown on real Fountain files: scenes, shots, sluglines, cast, durations, ids."""

from __future__ import annotations

from pathlib import Path

from nodes.production.screenplay import break_down, parse_screenplay
from nodes.production.screenplay.breakdown import estimate_seconds, split_slugline

DATA = Path(__file__).resolve().parents[1] / "data" / "screenplays"


def breakdown_of(name: str, text: str | None = None):  # type: ignore[no-untyped-def]
    return break_down(parse_screenplay(text if text is not None else (DATA / name).read_text()))


def test_fountain_with_title_page_notes_boneyard_dual_dialogue_and_forced_heading() -> None:
    b = breakdown_of("night_market.fountain")
    assert b.title == "Night Market"
    assert [s.slugline for s in b.scenes] == [
        "EXT. NIGHT MARKET - NIGHT", "INT. NOODLE CART - CONTINUOUS", "ROOFTOP ABOVE THE MARKET"]
    assert [s.scene_number for s in b.scenes] == ["1", "2", "3A"]
    assert [(s.int_ext, s.location, s.time_of_day) for s in b.scenes] == [
        ("EXT", "NIGHT MARKET", "NIGHT"), ("INT", "NOODLE CART", "CONTINUOUS"), ("", "ROOFTOP ABOVE THE MARKET", "")]
    assert [len(s.shot_ids) for s in b.scenes] == [2, 2, 1]
    assert b.cast == ["MARA", "TOMAS"]
    assert not any("cut" in s.description.lower() and "must not" in s.description for s in b.shots)
    assert not any("Consider a crane" in s.description for s in b.shots)  # a note, not action
    dual = b.shots[2]
    assert dual.dialogue == 'TOMAS: "You\'re late." MARA: "You\'re early."'
    assert dual.cast == ["TOMAS", "MARA"]
    assert [s.duration for s in b.shots] == [4.0, 7.0, 5.5, 3.5, 4.0]


def test_plain_text_screenplay_without_fountain_marks() -> None:
    b = breakdown_of("plain_scene.txt")
    assert [s.slugline for s in b.scenes] == ["INT. OFFICE - NIGHT", "EXT. STREET - NIGHT"]
    assert len(b.shots) == 3 and b.cast == ["JONAS"]
    assert b.shots[0].dialogue == 'JONAS: "Nothing. Again."'
    assert b.shots[0].size.value == "wide shot" and b.shots[1].size.value == "medium shot"


def test_character_extensions_are_stripped_from_the_cast() -> None:
    b = breakdown_of("two_rooms.fountain")
    assert b.cast == ["ANA", "BEN"]
    assert b.locations == ["KITCHEN", "GARDEN"]
    assert [s.eighths for s in b.scenes] == [2, 1]


def test_editing_one_scene_keeps_the_ids_of_every_other_shot() -> None:
    text = (DATA / "night_market.fountain").read_text()
    before = breakdown_of("", text)
    after = breakdown_of("", text.replace("Tomas pockets it.", "Tomas pockets it and smiles."))
    changed = [a.id for a, b in zip(before.shots, after.shots, strict=True) if a.id != b.id]
    assert changed == [before.shots[3].id]
    assert [s.id for s in before.scenes] == [s.id for s in after.scenes]


def test_the_duration_rule_reads_words_and_clamps() -> None:
    assert estimate_seconds("one two three", "") == 2.0
    assert estimate_seconds(" ".join(["w"] * 15), " ".join(["d"] * 5)) == 7.0
    assert estimate_seconds(" ".join(["w"] * 300), "") == 12.0
    assert split_slugline("INT./EXT. CAR - MOVING") == ("INT/EXT", "CAR", "MOVING")
