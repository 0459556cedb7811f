"""Keep the cyclic garbage collector off what lives for the whole process.

Everything alive once a server (or `auteur run`) has started — imported modules, node classes,
the app and its services, tens of thousands of objects — would otherwise be rescanned by every
full collection, and a big graph's run triggers several: on the 2,000-node wide graph that
was about a third of a fully cached rerun (`python -m bench executor`). Objects made later
are collected as usual; frozen ones are still freed when no longer referenced.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_heap() -> None:
    """Move every object alive now to the collector's permanent generation, once per process
    (later calls, e.g. a second app in one test process, change nothing)."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
