"""Data only: the project skeleton, narrative structures, document types and graph templates.

`ROOT` locates them whether the project is installed from a checkout or as a wheel.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
