"""RunContext: everything a node may touch while it runs."""

from __future__ import annotations

import functools
import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ._errors import NodeCancelledError
from ._events import EventType
from ._media import MediaKind, MediaRef, sha256_file
from ._sandbox import PathSandbox
from ._take_service import TakeService
from ._tier_params import P, resolve_tier_params

T = TypeVar("T")
ProgressFn = Callable[[float, str | None], None]
EmitFn = Callable[[str, dict[str, Any]], None]


class ModelCache:
    """Per-process cache of loaded models, reused by every later task in the same process."""

    def __init__(self) -> None:
        self._models: dict[str, Any] = {}
        self.loads = 0

    def get_or_load(self, key: str, loader: Callable[[], T]) -> T:
        if key not in self._models:
            self._models[key] = loader()
            self.loads += 1
        return self._models[key]  # type: ignore[no-any-return]

    def __contains__(self, key: str) -> bool:
        return key in self._models

    def clear(self) -> None:
        self._models.clear()


@dataclass(frozen=True)
class RunProvenance:
    """What a node's results are traced back to: the run and the graph that made them."""

    run_id: str
    graph_hash: str | None = None
    tier: str | None = None
    principal: str | None = None


class RunContext:
    """The node's window on the world: tier, progress, cancellation, paths, models."""

    def __init__(
        self,
        *,
        run_id: str,
        node_id: str,
        type_id: str,
        tier: str,
        tier_params: dict[str, Any],
        workspace_root: Path,
        sandbox: PathSandbox,
        scratch_dir: Path | str,
        models: ModelCache,
        progress: ProgressFn | None = None,
        is_cancelled: Callable[[], bool] | None = None,
        emit: EmitFn | None = None,
        project: str | None = None,
        logger: logging.Logger | None = None,
        principal: str | None = None,
        project_root: Path | None = None,
        graph_hash: str | None = None,
    ) -> None:
        self.run_id = run_id
        self.node_id = node_id
        self.type_id = type_id
        self.tier = tier
        self.tier_params = dict(tier_params)
        self.workspace_root = workspace_root
        self.sandbox = sandbox
        self.models = models
        self.project = project
        # Who submitted the run: per-user integrations (Spotify tokens) and the audit log.
        self.principal = principal
        # The run's project folder (None outside a project); never guessed from the sandbox.
        self.project_root = project_root
        self.provenance = RunProvenance(run_id, graph_hash, tier, principal)
        if logger is not None:
            self.logger = logger
        self._scratch = scratch_dir
        self._progress = progress or (lambda fraction, step: None)
        self._is_cancelled = is_cancelled or (lambda: False)
        self._emit = emit or (lambda event_type, data: None)

    # Made on first use: most nodes never log nor save a take, and a big graph's inline nodes
    # each get a context.
    @functools.cached_property
    def takes(self) -> TakeService:
        """Takes are saved only through this service: numbering, provenance, digest, event."""
        return TakeService(self)

    @functools.cached_property
    def logger(self) -> logging.Logger:
        return logging.getLogger(f"auteur.node.{self.type_id}")

    def tier_settings(self, model: type[P]) -> P:
        """This node's tier parameters as its typed model (defaults filled in)."""
        return resolve_tier_params(model, self.tier_params)

    def progress(self, fraction: float, step: str | None = None) -> None:
        """Report progress in 0..1 (clamped); the server throttles what it forwards."""
        self._progress(min(1.0, max(0.0, float(fraction))), step)

    def cancelled(self) -> bool:
        return self._is_cancelled()

    def check_cancelled(self) -> None:
        """Raise NodeCancelledError if the run was cancelled; call it between steps."""
        if self._is_cancelled():
            raise NodeCancelledError(f"node {self.node_id} cancelled")

    def resolve(self, path: str | Path, *, must_exist: bool = False) -> Path:
        """A user-supplied path, resolved inside the sandbox (project or allowed dirs)."""
        return self.sandbox.resolve(path, must_exist=must_exist)

    def scratch_dir(self) -> Path:
        """A folder for this task's output files, inside the workspace (made on first use:
        most nodes write none, so a Path is built only here)."""
        scratch = Path(self._scratch)
        scratch.mkdir(parents=True, exist_ok=True)
        return scratch

    def media_path(self, ref: MediaRef) -> Path:
        """The absolute path of a MediaRef, checked where it is read: inside the run's roots
        (its project or scratch folder, its ancestors' outputs), not hidden, and with the
        content its sha256 names."""
        return self.sandbox.resolve_media(ref, self.workspace_root)

    def media_ref(self, path: Path, *, kind: MediaKind, mime: str | None = None, **probe: Any) -> MediaRef:
        """Describe a file inside the run's roots as a MediaRef (content hash,
        workspace-relative)."""
        relative = PathSandbox([self.workspace_root]).relative(self.sandbox.resolve(path))
        guessed = mime or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return MediaRef(path=relative, sha256=sha256_file(path), mime=guessed, kind=kind, **probe)

    def emit(self, event_type: str, data: dict[str, Any]) -> None:
        """Publish a node-originated event (e.g. `take_created`) on the run's stream."""
        self._emit(event_type, data)

    def audit(self, action: str, **facts: Any) -> None:
        """Have the server's audit log record what this node did (e.g. `play` with the media
        and the speaker): a `node_audit` event the run's owner writes down with the run's
        principal; the node itself never touches the server's files."""
        self._emit(EventType.NODE_AUDIT, {"type": self.type_id, "action": action, "facts": facts})
