"""`python -m nodes.sdk.llm.prepare`: what `make setup` runs so the embedded model is ready before
any node asks it something. The one-time GGUF → transformers conversion (minutes on 2 cores) is
done here instead of inside the first agent node; it is skipped in well under a second when a
whole conversion of the packaged GGUF (its sha256 in the folder's marker) is already in
`AUTEUR_LLM_MODEL_DIR`, and it is published by one rename, so an interrupted setup leaves nothing
half-written. The node's own first-use conversion stays as the fallback."""

from __future__ import annotations

import sys
import time

from .._errors import MissingDependencyError
from .embedded import converted_dir, model_folder
from .settings import LLMSettings


def main() -> int:
    folder = model_folder(LLMSettings())
    started = time.perf_counter()
    converting: list[str] = []

    def tell(step: str) -> None:
        converting.append(step)
        print(f"embedded model: {step}", flush=True)

    try:
        target = converted_dir(folder, tell)
    except MissingDependencyError as exc:
        print(f"embedded model not prepared: {exc}", file=sys.stderr)
        return 1
    how = f"converted in {time.perf_counter() - started:.0f} s" if converting else "already converted"
    print(f"embedded model ready in {target} ({how})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
