"""The server's recent log lines for ComfyUI's log panel (`/internal/logs/raw`): kept in a
ring buffer, redacted, and shown per principal — a line belongs to the principal named by
the record's `principal` attribute (`logger.info(..., extra={"principal": name})`); only an
admin sees the server's other lines."""

from __future__ import annotations

import logging
import shutil
from collections import deque
from typing import Any

from ..governance import Principal
from ..governance.redact import redact
from .access import sees_everyone

_KEPT = 2000


class LogRing(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: deque[tuple[float, str | None, str]] = deque(maxlen=_KEPT)

    def emit(self, record: logging.LogRecord) -> None:
        owner = getattr(record, "principal", None)
        try:
            text = redact(f"{record.levelname} {record.name}: {record.getMessage()}")
        except Exception:  # a malformed record must never break logging
            return
        self.lines.append((record.created, owner if isinstance(owner, str) else None, text))
        last_resort = logging.lastResort
        if last_resort is not None and record.levelno >= logging.WARNING and not _other_handlers(record.name):
            # Python prints a warning no handler takes to stderr (its last resort); being a
            # handler, the ring must not silence that.
            last_resort.handle(record)


def _other_handlers(name: str) -> bool:
    logger: logging.Logger | None = logging.getLogger(name)
    while logger is not None:
        if any(handler is not RING for handler in logger.handlers):
            return True
        logger = logger.parent if logger.propagate else None
    return False


RING = LogRing()


def install_log_ring() -> None:
    """Once per process, on the loggers whose lines a ComfyUI user may read."""
    for name in ("canvas_server", "uvicorn.error"):
        logger = logging.getLogger(name)
        if RING not in logger.handlers:
            logger.addHandler(RING)
    server = logging.getLogger("canvas_server")
    if server.getEffectiveLevel() > logging.INFO:
        server.setLevel(logging.INFO)  # a principal's run lines are INFO (the root's WARNING would drop them)


def log_entries(principal: Principal) -> list[dict[str, Any]]:
    """`[{t, m}]` (ComfyUI's shape), the caller's lines only unless it is an admin."""
    everyone = sees_everyone(principal)
    return [{"t": created, "m": text + "\n"} for created, owner, text in list(RING.lines)
            if everyone or owner == principal.name]


def log_size() -> dict[str, int]:
    columns, rows = shutil.get_terminal_size()
    return {"cols": columns, "rows": rows}
