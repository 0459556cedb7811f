"""Faithful Fountain: each defect found on real screenplays, on a real-world-shaped sample
(tests/data/screenplays/brick_and_steel.fountain: a BOM, an emphasised title, a cold open,
lyrics, notes, synopses, sections, boneyard, a forced heading and scene numbers)."""

from __future__ import annotations

from pathlib import Path

from nodes.production.prompting import prompt_sections, prompt_text
from nodes.production.screenplay import break_down, parse_screenplay
from nodes.sdk.preproduction import Breakdown, ScriptNote, title_case

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "screenplays" / "brick_and_steel.fountain"


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")  # the BOM is kept, as a plain "utf-8" reader keeps it


def brick_and_steel() -> Breakdown:
    return break_down(parse_screenplay(sample_text()))


def test_the_sample_really_starts_with_a_byte_order_mark() -> None:
    assert SAMPLE.read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_byte_order_mark_loses_neither_the_title_page_nor_the_first_scene() -> None:
    assert brick_and_steel().title == "BRICK & STEEL"
    no_title_page = "\ufeffINT. KITCHEN - DAY\n\nAna pours coffee.\n\nEXT. GARDEN - DAY\n\nBen waters roses.\n"
    scenes = break_down(parse_screenplay(no_title_page)).scenes
    assert [s.slugline for s in scenes] == ["INT. KITCHEN - DAY", "EXT. GARDEN - DAY"]
    assert scenes[0].location == "KITCHEN"


def test_the_title_keeps_no_emphasis_markup() -> None:
    assert parse_screenplay("Title: **The _Last_ Birthday Card**\n\nINT. ROOM - DAY\n\nA card.\n").title \
        == "The Last Birthday Card"


def test_an_opening_pseudo_heading_names_the_scene_but_is_no_location() -> None:
    opening = brick_and_steel().scenes[0]
    assert (opening.slugline, opening.location, opening.int_ext, opening.time_of_day) == ("COLD OPEN", "", "", "")
    shot = brick_and_steel().shots[0]
    assert "Environment" not in prompt_text(prompt_sections(shot))
    assert "COLD OPEN" not in shot.description


def test_a_location_with_an_apostrophe_is_title_cased_without_capitalising_the_s() -> None:
    patio = brick_and_steel().shots[1]
    assert prompt_sections(patio)["environment"] == "Brick's Patio, night"
    assert "Brick (to no one)." in patio.description
    assert title_case("O'BRIEN'S BAR - 2ND FLOOR") == "O'Brien's Bar - 2nd Floor"


def test_lyrics_are_the_shots_audio_not_its_picture() -> None:
    patio = brick_and_steel().shots[1]
    assert "~" not in patio.description and "Happy birthday" not in patio.description
    assert patio.dialogue.startswith("♪ Happy birthday to you, / Happy birthday dear Brick... ♪")
    assert patio.dialogue.endswith('BRICK: "Make a wish, old man."')


def test_emphasis_markup_and_stray_asterisks_never_reach_shot_text() -> None:
    b = brick_and_steel()
    assert b.shots[0].description == "Rain hammers a corrugated roof. Steel shutters rattle. A lone star sign flickers."
    assert not any(mark in shot.description + shot.dialogue for shot in b.shots for mark in ("*", "_"))
    escaped = parse_screenplay("INT. LAB - DAY\n\nThe readout says 5 \\* 5.\n").scenes[0].beats[0].text
    assert escaped == "The readout says 5 * 5."


def test_sections_synopses_notes_and_boneyard_are_kept_as_notes_and_not_as_shots() -> None:
    b = brick_and_steel()
    every_text = " ".join(shot.description + shot.dialogue for shot in b.shots)
    for written_for_readers in ("ACT ONE", "foundry is for sale", "open on the sign", "empty patio",
                                "writer cut", "The Sale", "="):
        assert written_for_readers not in every_text
    assert b.scenes[0].notes == [
        ScriptNote(kind="section", text="ACT ONE"),
        ScriptNote(kind="synopsis", text="Brick learns the old foundry is for sale."),
        ScriptNote(kind="note", text="Should we open on the sign instead?"),
        # a synopsis after a note: the parser reads it as action, we do not
        ScriptNote(kind="synopsis", text="Brick comes home to an empty patio."),
    ]
    assert b.scenes[1].notes == [ScriptNote(kind="boneyard", text="EXT. FOUNDRY - DAY A scene the writer cut.")]
    assert b.scenes[2].notes == [ScriptNote(kind="section", text="The Sale")]
    assert [s.slugline for s in b.scenes].count("EXT. FOUNDRY - DAY") == 0


def test_a_note_in_a_slug_line_belongs_to_that_scene() -> None:
    parsed = parse_screenplay("INT. A - DAY\n\nOne.\n\nINT. B - DAY [[light it red]]\n\nTwo.\n")
    assert [s.slugline for s in parsed.scenes] == ["INT. A - DAY", "INT. B - DAY"]
    assert parsed.scenes[0].notes == [] and parsed.scenes[1].notes == [ScriptNote(kind="note", text="light it red")]


def test_forced_scene_headings_and_scene_numbers_are_honoured() -> None:
    b = brick_and_steel()
    assert [(s.scene_number, s.slugline) for s in b.scenes] == [
        ("", "COLD OPEN"), ("12", "INT. BRICK'S PATIO - NIGHT"),
        ("12A", "FLASHBACK - THE FOUNDRY FLOOR - NIGHT"), ("13", "EXT. FOUNDRY GATES - DAY")]
    flashback = b.scenes[2]
    assert (flashback.int_ext, flashback.location, flashback.time_of_day) == ("", "FLASHBACK - THE FOUNDRY FLOOR", "NIGHT")
    assert [s.scene_number for s in b.shots] == ["", "12", "12A", "13"]
    assert not any("#" in s.slugline for s in b.scenes)


def test_reimporting_an_edited_script_keeps_the_ids_of_unchanged_scenes_and_shots() -> None:
    text = sample_text()
    before = brick_and_steel()
    edited = text.replace("Sparks fall like snow", "Sparks fall like rain").replace(
        "EXT. FOUNDRY GATES - DAY #13#", "INT. OFFICE - DAY #12B#\n\nA phone rings.\n\nEXT. FOUNDRY GATES - DAY #13#")
    after = break_down(parse_screenplay(edited))
    assert [s.slugline for s in after.scenes][3] == "INT. OFFICE - DAY"
    kept_scenes = {s.slugline: s.id for s in before.scenes}
    assert all(kept_scenes[s.slugline] == s.id for s in after.scenes if s.slugline in kept_scenes)
    shots_before = {s.description: s.id for s in before.shots}
    unchanged = [s for s in after.shots if s.description in shots_before]
    assert len(unchanged) == 3  # the cold open, the patio, the gates
    assert all(shots_before[s.description] == s.id for s in unchanged)
    assert next(s.id for s in after.shots if s.scene_number == "12A") != before.shots[2].id
