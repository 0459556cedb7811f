"""A project moved to the trash while it is being edited: the edit finishes first, later edits
are a clean project_not_found, and the folder is never recreated (schemathesis found the 500)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from canvas_server.workspace.errors import ProjectNotFoundError
from canvas_server.workspace.store import NewProject, ProjectStore


def test_delete_waits_for_an_edit_and_later_edits_are_not_found(tmp_path: Path) -> None:
    store = ProjectStore(tmp_path)
    store.create(NewProject(name="Busy"))
    deleted: list[Path] = []
    with store.editing("Busy") as manifest:
        deleter = threading.Thread(target=lambda: deleted.append(store.delete("Busy")))
        deleter.start()
        time.sleep(0.2)
        assert not deleted  # waits for the edit's lock
        manifest.description = "written before the move"
    deleter.join(10)
    assert '"written before the move"' in (deleted[0] / "project.json").read_text()
    with pytest.raises(ProjectNotFoundError):  # an edit that found the folder before the move
        store._locked(tmp_path / "Projects" / "Busy", "Busy").__enter__()
    assert not (tmp_path / "Projects" / "Busy").exists()
