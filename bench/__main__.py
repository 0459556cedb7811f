"""`python -m bench [NAME …]`: run every benchmark module's `main()`, or the ones named
(`bench_executor` or just `executor`)."""

from __future__ import annotations

import importlib
import sys

MODULES = ["bench_executor", "bench_media", "bench_server", "bench_celery", "bench_editor", "bench_editor_queue",
           "bench_breakdown", "bench_animatic", "bench_submit_load", "bench_start", "bench_agents",
           "bench_media_download", "bench_event_relay", "bench_replica_events",
           "bench_llm"]


def _module_name(name: str) -> str:
    full = name if name.startswith("bench_") else f"bench_{name}"
    if full not in MODULES:
        sys.exit(f"no benchmark {name!r}; choose from: {', '.join(m.removeprefix('bench_') for m in MODULES)}")
    return full


def main(names: list[str]) -> None:
    for name in [_module_name(name) for name in names] or MODULES:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n=== {name} ===", flush=True)
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
