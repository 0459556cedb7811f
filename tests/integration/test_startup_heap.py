"""A started server (and `auteur run`) freezes its start-up heap: the cyclic collector then
skips the imported modules and node classes, a third of a big cached rerun's time when it
rescanned them (bench_executor)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

STARTED = """
import asyncio, gc, sys
from canvas_server.server.lifecycle import Lifecycle
from canvas_server.settings import Settings

async def main() -> None:
    before = gc.get_freeze_count()
    async with Lifecycle(Settings(workspace=sys.argv[1], runner_workers=1)).running():
        print(before, gc.get_freeze_count())

asyncio.run(main())
"""


def test_the_server_freezes_what_it_started_with(tmp_path: Path) -> None:
    shown = subprocess.run([sys.executable, "-c", STARTED, str(tmp_path / "ws")], capture_output=True,
                           text=True, timeout=120, check=True).stdout.split()
    before, after = int(shown[0]), int(shown[1])
    assert before == 0
    assert after > 10_000  # the app, its services and every imported module
