"""Shared test setup: the test node pack on the path (for this process and subprocesses)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PLUGINS_DIR = REPO_ROOT / "tests" / "plugins"
TESTDATA_DIR = Path(os.environ.get("AUTEUR_TESTDATA", REPO_ROOT.parent / "shared" / "testdata"))

# Subprocesses (spawned runner workers, CLI and server processes, Celery workers) find the
# test pack's dist-info through PYTHONPATH, exactly as an installed third-party pack.
if str(PLUGINS_DIR) not in sys.path:
    sys.path.insert(0, str(PLUGINS_DIR))
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(PLUGINS_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
)


@pytest.fixture(scope="session")
def testdata_dir() -> Path:
    """`../shared/testdata` beside the repository: real files written by other projects."""
    if not TESTDATA_DIR.is_dir():
        raise RuntimeError(f"test data not found at {TESTDATA_DIR}; set AUTEUR_TESTDATA")
    return TESTDATA_DIR
