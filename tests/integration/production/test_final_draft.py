"""Final Draft: an .fdx with a title page and dual dialogue comes in as Fountain and goes back
out as .fdx keeping what Final Draft keeps; the breakdown reads an .fdx directly; a hostile
.fdx (entities) is refused with a clear error."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nodes.production.screenplay import break_down, parse_screenplay
from nodes.production.screenplay.finaldraft import (
    fdx_to_fountain,
    fountain_to_document,
    fountain_to_fdx,
)
from nodes.sdk import NodeRegistry, discover
from nodes.sdk.preproduction import FdxError, ScriptElement, read_fdx

from ..media.media_fixtures import outputs_of, run_node

FDX = Path(__file__).resolve().parents[2] / "data" / "finaldraft" / "the_last_birthday_card.fdx"
SCRIPTS = "02_Source_Creative/Scripts"


@pytest.fixture(scope="module")
def registry() -> NodeRegistry:
    return discover(only=["core", "production"])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / SCRIPTS).mkdir(parents=True)
    shutil.copy(FDX, tmp_path / SCRIPTS / FDX.name)
    return tmp_path


def test_the_fdx_reads_as_final_draft_wrote_it() -> None:
    document = read_fdx(FDX.read_text(encoding="utf-8"))
    assert document.title_page == {"Title": ["THE LAST BIRTHDAY CARD"], "Credit": ["Written by"],
                                   "Author": ["June Hartley"], "Draft date": ["Draft of 3 March 2026"],
                                   "Contact": ["june@example.com"]}
    assert [(e.type, e.scene_number) for e in document.elements if e.type == "Scene Heading"] == [
        ("Scene Heading", "1"), ("Scene Heading", "2A")]
    assert document.elements[2].text == "A queue of tired people. MAGGIE (70s) clutches a pink envelope."
    dual = [e for e in document.elements if e.dual]
    assert dual == [
        ScriptElement(type="Character", text="MAGGIE", dual="left"),
        ScriptElement(type="Dialogue", text="It has to arrive by Friday.", dual="left"),
        ScriptElement(type="Character", text="CLERK", dual="right"),
        ScriptElement(type="Parenthetical", text="(overlapping)", dual="right"),
        ScriptElement(type="Dialogue", text="They all do.", dual="right")]
    assert [e.text for e in document.elements if e.type == "Transition"] == ["FADE IN:", "CUT TO:", "FADE OUT."]
    assert next(e for e in document.elements if e.text == "CLOSE ON THE ENVELOPE").type == "Action"  # a Shot


def test_fdx_to_fountain_to_fdx_keeps_everything_final_draft_keeps() -> None:
    original = read_fdx(FDX.read_text(encoding="utf-8"))
    fountain = fdx_to_fountain(FDX.read_text(encoding="utf-8"))
    assert fountain_to_document(fountain) == original
    exported = fountain_to_fdx(fountain)
    assert read_fdx(exported) == original
    root = ET.fromstring(exported)  # and it is Final Draft's structure, read by plain XML
    assert root.tag == "FinalDraft" and root.get("DocumentType") == "Script"
    headings = root.findall("./Content/Paragraph[@Type='Scene Heading']")
    assert [(p.get("Number"), p.findtext("Text")) for p in headings] == [
        ("1", "INT. POST OFFICE - DAY"), ("2A", "EXT. MAGGIE'S GARDEN - DUSK")]
    block = root.find("./Content/Paragraph/DualDialogue")
    assert block is not None
    assert [p.get("Type") for p in block.findall("Paragraph")] == [
        "Character", "Dialogue", "Character", "Parenthetical", "Dialogue"]
    assert [p.get("Alignment") for p in root.findall("./TitlePage/Content/Paragraph")] == [
        "Center", "Center", "Center", "Left", "Left"]


def test_a_fountain_screenplay_exports_to_fdx_and_back_unchanged() -> None:
    fountain = (Path(__file__).resolve().parents[2] / "data" / "screenplays" / "night_market.fountain").read_text()
    document = fountain_to_document(fountain)
    assert read_fdx(fountain_to_fdx(fountain)) == document
    assert fountain_to_document(fdx_to_fountain(fountain_to_fdx(fountain))) == document
    assert [e.scene_number for e in document.elements if e.type == "Scene Heading"] == ["1", "2", "3A"]
    assert [e.dual for e in document.elements if e.dual] == ["left", "left", "right", "right"]


def test_the_fdx_becomes_the_projects_fountain_screenplay_and_breaks_down(project: Path,
                                                                         registry: NodeRegistry) -> None:
    out = outputs_of(run_node(project, registry, "production.final_draft", {"script": f"{SCRIPTS}/{FDX.name}"}))
    assert out["script"] == f"{SCRIPTS}/the_last_birthday_card.fountain"
    written = (project / out["script"]).read_text(encoding="utf-8")
    assert written == fdx_to_fountain(FDX.read_text(encoding="utf-8"))
    breakdown = break_down(parse_screenplay(written))
    assert breakdown.title == "THE LAST BIRTHDAY CARD" and breakdown.cast == ["CLERK", "MAGGIE"]
    assert [s.scene_number for s in breakdown.scenes] == ["1", "2A"]
    direct = outputs_of(run_node(project, registry, "production.script_breakdown",
                                 {"script": f"{SCRIPTS}/{FDX.name}"}))["breakdown"]
    assert [s["slugline"] for s in direct["scenes"]] == ["INT. POST OFFICE - DAY", "EXT. MAGGIE'S GARDEN - DUSK"]
    assert direct["shots"][0]["dialogue"] == \
        'CLERK: "Next." MAGGIE: "It has to arrive by Friday." CLERK: "They all do."'  # the dual pair too

    back = outputs_of(run_node(project, registry, "production.final_draft", {"script": out["script"]}))
    assert back["script"] == f"{SCRIPTS}/the_last_birthday_card.fdx"
    assert read_fdx((project / back["script"]).read_text(encoding="utf-8")) == read_fdx(FDX.read_text(encoding="utf-8"))


def test_an_fdx_with_entities_or_no_final_draft_root_is_refused(project: Path, registry: NodeRegistry) -> None:
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
              "<FinalDraft><Content><Paragraph><Text>&lol2;</Text></Paragraph></Content></FinalDraft>")
    for hostile in (laughs, "<html><body/></html>", "<FinalDraft><Content>"):
        with pytest.raises(FdxError):
            read_fdx(hostile)
    (project / SCRIPTS / "bad.fdx").write_text(laughs, encoding="utf-8")
    result = run_node(project, registry, "production.final_draft", {"script": f"{SCRIPTS}/bad.fdx"})
    assert result.error is not None and result.error.code == "script_invalid"
    assert "document type declaration" in result.error.message


def test_fountain_markup_for_readers_stays_out_of_the_fdx() -> None:
    fountain = ("INT. LAB - DAY\n\n= The test goes wrong.\nThe readout says 5 \\* 5 and a * stray *star*.\n\n"
                "~Row, row, row\n\nANA\nIt is *really* 25\\*.\n")
    texts = [e.text for e in read_fdx(fountain_to_fdx(fountain)).elements]
    assert texts == ["INT. LAB - DAY", "The readout says 5 * 5 and a stray star.", "Row, row, row", "ANA",
                     "It is really 25*."]
