"""`python -m bench`: run every benchmark module's `main()` (or the ones named)."""

from __future__ import annotations

import importlib
import sys

MODULES = ["bench_executor", "bench_media", "bench_server", "bench_celery", "bench_editor", "bench_breakdown",
           "bench_animatic", "bench_submit_load"]


def main(names: list[str]) -> None:
    for name in names or MODULES:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n=== {name} ===", flush=True)
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
