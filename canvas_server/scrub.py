"""The one scrubber for everything that leaves the server as an error: HTTP error bodies,
the errors of run records and the events that carry them, ComfyUI's tracebacks.

A path inside the workspace becomes workspace-relative (`Projects/Film/01_Assets/a.png`: what a
client may name); any other absolute path (a temp folder, the Python install, ffmpeg's view of
a file) keeps only its file name. URLs are left alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_FILE_LINE = re.compile(r'File "([^"]+)"')  # a traceback's frame line
_ABSOLUTE = re.compile(r"(?<![\w.:/~])/(?:[\w.+~-]+/)+([\w.+~-]+)")


def scrub_text(text: str, workspace: Path | None) -> str:
    """`text` with no absolute server path in it."""
    if workspace is not None:
        for root in {str(workspace), str(workspace.resolve())}:
            text = text.replace(root + "/", "").replace(root, ".")
    text = _FILE_LINE.sub(lambda match: f'File "{Path(match.group(1)).name}"', text)
    return _ABSOLUTE.sub(lambda match: match.group(1), text)


def scrub(value: Any, workspace: Path | None) -> Any:
    """Every string in `value` (a message, or details: dicts and lists of them) scrubbed."""
    if isinstance(value, str):
        return scrub_text(value, workspace)
    if isinstance(value, dict):
        return {key: scrub(item, workspace) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item, workspace) for item in value]
    return value
