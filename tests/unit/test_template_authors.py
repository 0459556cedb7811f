"""Template authors with several writers (request threads, servers sharing the workspace): every
template saved at once keeps its author, and the first saver stays the author."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from canvas_server.server.template_store import TemplateStore


def _save_many(folder: str, author: str, count: int) -> None:
    store = TemplateStore(Path(folder))
    for index in range(count):
        store.save({"name": f"{author} {index}", "workflow": {}}, author=author)


def test_templates_saved_at_once_by_two_processes_all_keep_their_author(tmp_path: Path) -> None:
    folder = tmp_path / "Pipeline_Templates"
    folder.mkdir()
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_save_many, args=(str(folder), author, 40)) for author in ("ana", "cy")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=60)
        assert writer.exitcode == 0
    store = TemplateStore(folder)
    authors = {summary.id: store.author(summary.id) for summary in store.list() if summary.source == "workspace"}
    assert len(authors) == 80 and all(author is not None and template.startswith(author) for template, author in authors.items())
    store.save({"name": "ana 0", "workflow": {}}, author="cy")  # saved again by another: still ana's
    assert store.author(next(t for t in authors if authors[t] == "ana" and t.endswith("-0"))) == "ana"
