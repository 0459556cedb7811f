"""The ffmpeg toolkit node packs share (import its modules, e.g. `nodes.sdk.ffmpeg.probe`):
running ffmpeg under the media guard, probing, encoding parameters, output formats, timecodes,
reframing and loudness. Packs reach each other's media code only through here."""
