"""Where the server keeps what no one else on the host may read: the state folder
(`<workspace>/.auteur`: run queue, event log, audit log, cache index) and the secrets
(`tokens.json`, `secret.key`), which `AUTEUR_SECRETS_DIR` may put outside the workspace."""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` owner-only, and make its own files owner-only: on a shared host other users
    can neither list it nor open what it holds (files made later are behind the 0700 folder).
    Deeper folders need no walk: they are unreachable through this one."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIR)
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False) and stat.S_IMODE(entry.stat().st_mode) & 0o077:
                os.chmod(entry.path, PRIVATE_FILE)
    return path
