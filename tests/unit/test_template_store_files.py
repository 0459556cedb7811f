"""The template store lists templates only: its own records beside them are not templates."""

from __future__ import annotations

import json
from pathlib import Path

from canvas_server.server.template_store import AUTHORS_FILE, TemplateStore


def test_the_authors_record_beside_saved_templates_is_not_listed_as_a_template(tmp_path: Path) -> None:
    workspace, builtin = tmp_path / "templates", tmp_path / "builtin"
    workspace.mkdir()
    builtin.mkdir()
    (workspace / AUTHORS_FILE).write_text(json.dumps({"counter": "local"}))
    assert [summary.id for summary in TemplateStore(workspace, builtin).list()] == []
