"""One owner for every project file, asserted on the source: the layout module names the folders
and files, only the project store writes project.json, only the SDK's atomic writer replaces a
file, and only `ctx.takes` stores a take."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("canvas_server", "function_runners", "nodes")
LAYOUT_NAME = re.compile(r"^(project\.json$|0[1-6]_[A-Z])")


@cache
def sources() -> list[tuple[str, ast.Module]]:
    return [(path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
            for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]


def docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for item in ast.walk(tree):
        if isinstance(item, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and item.body:
            first = item.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def calls_of(tree: ast.Module, name: str) -> list[int]:
    """Lines calling `name(...)` or `anything.name(...)`."""
    lines = []
    for item in ast.walk(tree):
        if isinstance(item, ast.Call):
            func = item.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called == name:
                lines.append(item.lineno)
    return lines


def callers(name: str) -> set[str]:
    return {path for path, tree in sources() if calls_of(tree, name)}


def test_folder_and_file_names_of_a_project_are_spelled_only_in_the_layout_module() -> None:
    spelled = []
    for path, tree in sources():
        skip = docstrings(tree)
        for item in ast.walk(tree):
            if (isinstance(item, ast.Constant) and isinstance(item.value, str) and id(item) not in skip
                    and LAYOUT_NAME.match(item.value) and path != "nodes/sdk/layout.py"):
                spelled.append(f"{path}:{item.lineno} {item.value!r}")
    assert spelled == []


def test_only_the_project_store_writes_project_json() -> None:
    assert callers("write_manifest") == {"canvas_server/workspace/store.py"}
    assert all(path.startswith("canvas_server/workspace/") for path in callers("editing")), callers("editing")


def test_only_the_atomic_writer_replaces_a_stored_file() -> None:
    assert callers("replace") - _string_replacers() == {"nodes/sdk/atomic.py"}
    assert callers("mkstemp") == set() and callers("NamedTemporaryFile") == set()


def _string_replacers() -> set[str]:
    """Modules whose `.replace(` calls are all str.replace / model_copy-style (two string-ish args)."""
    found = set()
    for path, tree in sources():
        calls = [item for item in ast.walk(tree) if isinstance(item, ast.Call) and isinstance(item.func, ast.Attribute)
                 and item.func.attr == "replace"]
        if calls and all(not (isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Name)
                              and c.func.value.id == "os") and _looks_textual(c) for c in calls):
            found.add(path)
    return found


def _looks_textual(call: ast.Call) -> bool:
    """`text.replace("a", "b")`, `dt.replace(tzinfo=…)`: not a file being moved into place."""
    return bool(call.keywords) or len(call.args) == 2


def test_only_the_take_service_stores_a_take() -> None:
    assert callers("promote") == {"nodes/sdk/_take_service.py"}
