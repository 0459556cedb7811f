"""Runner processes die with the process that started them (Linux `PR_SET_PDEATHSIG`).

A local runner leads its own process group (so a cancel can kill it with its ffmpeg), which
also takes it out of the server's group: a `kill -9` of the server would leave it running,
holding models and the workspace. The kernel sends SIGTERM to the runner when its parent dies;
the handler then kills the runner's whole group, node subprocesses included.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from types import FrameType

PR_SET_PDEATHSIG = 1


def _kill_own_group(signum: int, frame: FrameType | None) -> None:
    os.killpg(os.getpgid(0), signal.SIGKILL)


def die_with_parent(parent_pid: int | None) -> bool:
    """Ask for SIGTERM when the parent dies and make it kill this process group. Returns
    False where the platform has no such signal (macOS: the pool's own shutdown applies)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        return False
    signal.signal(signal.SIGTERM, _kill_own_group)
    if parent_pid is not None and os.getppid() != parent_pid:
        _kill_own_group(signal.SIGTERM, None)  # the parent died before the signal was armed
    return True
