"""`production.cut_on_beats`: shots whose cuts fall on the music's beats.

Shots cut where sung phrases start (production.segments_to_shots) feel late or early against
the music; an editor cuts on the beat nearest to the phrase. This node tracks the beats of the
audio (nodes.production.beats) and moves each cut between two shots to the nearest beat; the
first shot still starts at 0 and the last still ends where the shots ended, so they keep tiling
the audio and an animatic of them stays in sync.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nodes.sdk import Input, MediaRef, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.ffmpeg.encode import input_stream, output_path, run_stream, staged
from nodes.sdk.ffmpeg.output_info import source as source_of
from nodes.sdk.ffmpeg.probe import require_audio
from nodes.sdk.preproduction import Shot

if TYPE_CHECKING:  # numpy loads when the node runs: the catalog (every server, runner and CLI) stays light
    import numpy as np


class CutOnBeatsOut(Outputs):
    shots: list[Shot] = Output(socket="SHOT", is_list=True, description="The shots, each cut on a beat")
    bpm: float = Output(socket="FLOAT", description="The music's tempo, beats per minute")
    beats: list[float] = Output(socket="FLOAT", ui=True, description="Every beat heard, seconds from the start")


@node(
    "production.cut_on_beats",
    title="Cut on Beats",
    category="Production/Previz",
    version="1.0.0",
    maturity="AUTONOMOUS",
    runs_on="runner",
)
class CutOnBeats(Node):
    """Track the beats of the music and move each cut between the shots to the nearest beat
    (the shots keep their order, words and place; their lengths change)."""

    shots: list[Shot] = Input(description="The shots in order, tiling the music (e.g. one per sung phrase)",
                              socket="SHOT", is_list=True)
    audio: MediaRef = Input(description="The music the shots are cut to", socket="AUDIO")
    min_seconds: float = Input(0.5, ge=0.1, le=10.0, description="Shortest shot after the cuts move, seconds")

    def run(self, ctx: RunContext) -> CutOnBeatsOut:
        import numpy as np

        from .beats import beats_of, snap

        if not self.shots:
            raise NodeExecutionError("there are no shots to cut", code="value_out_of_range")
        heard = beats_of(self._samples(ctx))
        ctx.progress(0.8, f"{len(heard.times)} beats at {heard.bpm:.1f} BPM")
        starts = np.cumsum([0.0, *(shot.duration for shot in self.shots)])
        end = float(starts[-1])
        cuts = snap([float(start) for start in starts[1:-1]], heard.times, end, self.min_seconds)
        edges = [0.0, *(round(cut, 3) for cut in cuts), round(end, 3)]
        shots = [shot.model_copy(update={"duration": round(edges[i + 1] - edges[i], 3)})
                 for i, shot in enumerate(self.shots)]
        return CutOnBeatsOut(shots=shots, bpm=heard.bpm, beats=heard.times)

    def _samples(self, ctx: RunContext) -> np.typing.NDArray[np.float32]:
        """The audio as mono float PCM at the tracker's rate (ffmpeg decodes it)."""
        import numpy as np

        from .beats import RATE

        source, info = source_of(ctx, self.audio)
        require_audio(info, source.name)
        raw = output_path(ctx, f"{source.stem}_beats", ".f32")
        out = input_stream(source).output(str(staged(raw)), f="f32le", ac=1, ar=RATE, vn=None)
        run_stream(ctx, out, raw, duration=info.duration, step="decode", span=(0.0, 0.5))
        samples = np.fromfile(raw, dtype=np.float32)
        raw.unlink()
        return samples
