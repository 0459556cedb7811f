"""The README is the user's manual: every setting is documented, every command exists."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from canvas_server.cli.main import app
from canvas_server.settings import Settings
from function_runners.settings import CelerySettings
from nodes.sdk import discover

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
AUTEUR = str(Path(sys.executable).with_name("auteur"))


PACK_SETTINGS = [hooks.settings for hooks in discover().hooks.values() if hooks.settings is not None]


def test_the_packs_bring_their_own_settings() -> None:
    assert len(PACK_SETTINGS) >= 3  # audio, production, speaker


@pytest.mark.parametrize("name", sorted({*Settings.model_fields, *CelerySettings.model_fields,
                                         *(name for model in PACK_SETTINGS for name in model.model_fields)}))
def test_every_setting_is_documented_in_the_readme(name: str) -> None:
    assert f"`AUTEUR_{name.upper()}`" in README


def _documented_commands() -> list[tuple[str, ...]]:
    found = set()
    for match in re.finditer(r"auteur ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)", README):
        words = tuple(match.group(1).split())
        found.add(words)
    return sorted(found)


def test_the_readme_documents_the_main_commands() -> None:
    commands = {words[0] for words in _documented_commands()}
    assert {"run", "validate", "convert", "nodes", "serve", "tokens", "project", "worker", "doctor"} <= commands


def test_every_auteur_command_in_the_readme_exists() -> None:
    """Built-in commands and those the installed packs add (`auteur spotify`)."""
    root = typer.main.get_command(app)
    assert isinstance(root, typer.core.TyperGroup)
    context = typer.Context(root)
    for words in _documented_commands():
        command = root.get_command(context, words[0])
        assert command is not None, f"`auteur {words[0]}` is in the README but not in the CLI"
        if len(words) == 2 and hasattr(command, "list_commands"):  # a group loads its commands on use
            subcommands = command.list_commands(typer.Context(command))
            assert words[1] in subcommands, f"`auteur {' '.join(words)}` is not a command"


def test_the_cli_help_runs_as_a_console_script() -> None:
    result = subprocess.run([AUTEUR, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "run" in result.stdout


def test_the_readme_quick_start_is_exactly_make_run_and_make_test() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = quick_start.split("```bash", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == ["make run", "make test"]
