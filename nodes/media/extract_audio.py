"""`media.extract_audio`: the soundtrack of a clip as MP3, M4A (AAC), WAV or FLAC."""

from __future__ import annotations

from nodes.sdk import Input, MediaRef, Node, Output, Outputs, RunContext, node
from nodes.sdk.ffmpeg.encode import input_stream, output_path, run_stream, staged
from nodes.sdk.ffmpeg.formats import AUDIO_FORMATS, AudioFormat
from nodes.sdk.ffmpeg.output_info import output_ref, source
from nodes.sdk.ffmpeg.probe import require_audio


class ExtractAudioOut(Outputs):
    audio: MediaRef = Output(socket="AUDIO", description="The extracted soundtrack")


@node(
    "media.extract_audio",
    title="Extract Audio",
    category="Media/Audio",
    version="1.0.0",
    maturity="AUTONOMOUS",
    runs_on="runner",
)
class ExtractAudio(Node):
    """Write a clip's first audio stream as MP3 (LAME), M4A (AAC), WAV (16-bit) or FLAC."""

    video: MediaRef = Input(description="Source clip (any file with sound)", socket="VIDEO")
    format: AudioFormat = Input("wav", description="Audio format to write")

    def run(self, ctx: RunContext) -> ExtractAudioOut:
        path, info = source(ctx, self.video)
        require_audio(info, path.name)
        final = output_path(ctx, f"{path.stem}_audio", f".{self.format}")
        out = input_stream(path).output(
            str(staged(final)), vn=None, map="0:a:0", **AUDIO_FORMATS[self.format]
        )
        done = run_stream(ctx, out, final, duration=info.duration, step=f"extract {self.format}")
        return ExtractAudioOut(audio=output_ref(ctx, final, done, kind="audio"))
