"""Beat tracking in numpy, on PCM that ffmpeg decoded (no audio-analysis package is locked, and
librosa is not: this follows its method, Ellis 2007, in a page).

1. Onset strength: the log-magnitude spectrum's positive change from one short frame to the next,
   summed over frequency (a drum hit or a sung syllable's attack lights it up).
2. Tempo: the onset strength's autocorrelation, weighted towards 120 BPM (an octave either way
   is less likely), its best lag refined between frames.
3. Beats: dynamic programming picks the onset peaks that are strong and about one beat apart
   (a penalty on the log of the gap's ratio to the beat period), traced back from the end.
4. Each beat is then placed on its attack: the sharpest rise of the waveform's energy (1.5 ms
   blocks) within half a window of it (a spectral frame hears an attack up to half a window
   early, which would put every cut a frame ahead of the beat).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

RATE = 22050  # samples per second the audio is decoded at
HOP = 128  # samples between onset frames: 5.8 ms, well inside a video frame
WINDOW = 1024
BLOCK = 32  # samples per energy block when a beat is placed on its attack
MIN_BPM, MAX_BPM, PRIOR_BPM = 50.0, 220.0, 120.0
TIGHTNESS = 100.0  # how strongly beats keep to the tempo (librosa's default)

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Beats:
    bpm: float
    times: list[float]  # seconds


def onset_strength(samples: npt.NDArray[np.float32], rate: int = RATE, hop: int = HOP) -> Floats:
    """One value per `hop` samples, frame t centred on sample t·hop."""
    padded = np.pad(samples.astype(np.float64), (WINDOW // 2, WINDOW // 2))
    count = max(0, (len(padded) - WINDOW) // hop + 1)
    if count < 2:
        return np.zeros(count)
    frames = np.lib.stride_tricks.sliding_window_view(padded, WINDOW)[::hop][:count]
    spectrum = np.log1p(1000.0 * np.abs(np.fft.rfft(frames * np.hanning(WINDOW), axis=1)))
    flux = np.maximum(0.0, np.diff(spectrum, axis=0)).sum(axis=1)
    return np.concatenate([[0.0], flux])


def tempo(onsets: Floats, fps: float) -> float:
    """Beats per minute: the onset strength's most self-similar lag, weighted towards 120 BPM."""
    centred = onsets - onsets.mean()
    ac = np.correlate(centred, centred, mode="full")[len(centred) - 1:]
    lags = np.arange(len(ac), dtype=np.float64)
    usable = (lags >= fps * 60.0 / MAX_BPM) & (lags <= fps * 60.0 / MIN_BPM)
    if not usable.any():
        return PRIOR_BPM
    with np.errstate(divide="ignore"):
        prior = np.exp(-0.5 * np.log2(np.where(lags > 0, fps * 60.0 / lags, 1.0) / PRIOR_BPM) ** 2)
    weighted = np.where(usable, ac * prior, -np.inf)
    best = int(np.argmax(weighted))
    lag = float(best)
    if 0 < best < len(ac) - 1:  # a parabola through the peak and its neighbours: between frames
        left, mid, right = ac[best - 1], ac[best], ac[best + 1]
        bend = left - 2 * mid + right
        if bend < 0:
            lag += 0.5 * (left - right) / bend
    return 60.0 * fps / lag


def track(onsets: Floats, fps: float, bpm: float) -> list[int]:
    """Frame indices of the beats (Ellis's dynamic programme)."""
    if not len(onsets) or onsets.max() <= 0:
        return []
    strength = onsets / onsets.std()
    period = 60.0 * fps / bpm
    score = strength.copy()
    back = np.full(len(onsets), -1)
    for t in range(len(onsets)):
        first, last = max(0, t - round(2 * period)), t - round(period / 2)
        if last < first:
            continue
        previous = np.arange(first, last + 1)
        candidates = score[previous] - TIGHTNESS * np.log((t - previous) / period) ** 2
        best = int(np.argmax(candidates))
        if candidates[best] > 0:
            score[t] += candidates[best]
            back[t] = previous[best]
    end = len(onsets) - 1 - int(np.argmax(score[::-1][: max(1, round(period))]))
    beats = [end]
    while back[beats[-1]] >= 0:
        beats.append(int(back[beats[-1]]))
    beats.reverse()
    return _trim(beats, strength)


def _trim(beats: list[int], strength: Floats) -> list[int]:
    """Leading and trailing beats on silence are the programme's guesses, not beats heard."""
    def heard(frame: int) -> bool:
        return bool(strength[max(0, frame - 2): frame + 3].max() > 0.25 * np.median(strength[beats]))
    while beats and not heard(beats[0]):
        beats.pop(0)
    while beats and not heard(beats[-1]):
        beats.pop()
    return beats


def on_attacks(samples: npt.NDArray[np.float32], frames: list[int], hop: int) -> list[int]:
    """Each beat frame's sample position moved to the sharpest energy rise within half a window."""
    blocks = len(samples) // BLOCK
    if not blocks:
        return [frame * hop for frame in frames]
    energy = np.log1p(1000.0 * np.sqrt((samples[: blocks * BLOCK].astype(np.float64).reshape(blocks, BLOCK) ** 2)
                                       .mean(axis=1)))
    rise = np.concatenate([[0.0], np.diff(energy)])
    placed = []
    for frame in frames:
        centre = frame * hop // BLOCK
        first, last = max(0, centre - WINDOW // 2 // BLOCK), min(blocks, centre + WINDOW // 2 // BLOCK + 1)
        placed.append((first + int(np.argmax(rise[first:last]))) * BLOCK if last > first else frame * hop)
    return placed


def beats_of(samples: npt.NDArray[np.float32], rate: int = RATE, hop: int = HOP) -> Beats:
    onsets = onset_strength(samples, rate, hop)
    fps = rate / hop
    bpm = tempo(onsets, fps)
    positions = on_attacks(samples, track(onsets, fps, bpm), hop)
    return Beats(bpm=round(bpm, 2), times=[round(position / rate, 4) for position in positions])


def snap(boundaries: list[float], beats: list[float], end: float, min_gap: float) -> list[float]:
    """Each boundary moved to its nearest beat, keeping the cuts in order and at least `min_gap`
    apart (and from the end); a boundary with no beat left keeps its own time."""
    cuts: list[float] = []
    last = 0.0
    for boundary in boundaries:
        options = [beat for beat in beats if last + min_gap <= beat <= end - min_gap]
        cut = min(options, key=lambda beat: abs(beat - boundary)) if options else max(boundary, last + min_gap)
        cuts.append(cut)
        last = cut
    return cuts
