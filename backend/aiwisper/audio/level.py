"""Audio levels: what the engine is given, and what the user is told. Pure functions and small state objects.

Recordings arrive at any level: a laptop microphone across the table gives speech at −65 dBFS, a headset at
−15. What is stored is what was recorded; the engine gets each piece normalized to a working level, so the
same words come back whatever the level. Silence is decided by the VAD's speech probability, not by an
absolute level; only digital silence (nothing above one PCM16 step) is skipped without asking the engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]

TARGET_DB = -20.0  # speech level the engine is given
MAX_GAIN_DB = 60.0  # at most this much amplification (−80 dBFS speech reaches the target)
PEAK_CEILING = 0.95  # no sample is pushed past this
DIGITAL_SILENCE = 1.5 / 32768  # below one PCM16 step: nothing was recorded
QUIET_DB = -50.0  # speech below this level is worth a warning (it is transcribed all the same)
CLIP = 0.999  # a sample at full scale


def db(x: float) -> float:
    """Amplitude as dBFS; −120 for (near) zero."""
    return -120.0 if x <= 1e-6 else 20.0 * math.log10(x)


def frame_rms(audio: Floats, frame: int = 512) -> npt.NDArray[np.float64]:
    """RMS of each whole frame (a short tail is its own frame)."""
    if audio.size == 0:
        return np.zeros(0)
    n = math.ceil(audio.size / frame)
    padded = np.zeros(n * frame, dtype=np.float64)
    padded[: audio.size] = audio
    frames = padded.reshape(n, frame)
    counts = np.full(n, frame, dtype=np.float64)
    counts[-1] = audio.size - (n - 1) * frame
    out: npt.NDArray[np.float64] = np.sqrt(np.sum(frames * frames, axis=1) / counts)
    return out


def speech_level_db(audio: Floats) -> float:
    """The level of the loud part of `audio`: the 90th percentile of its 32 ms frame RMS, in dBFS.

    Pauses between words do not pull it down, as they would a plain RMS."""
    rms = frame_rms(audio)
    return db(float(np.percentile(rms, 90))) if rms.size else -120.0


def is_digital_silence(audio: Floats) -> bool:
    """Nothing above one PCM16 step: no engine call is needed to know there are no words."""
    return audio.size == 0 or float(np.max(np.abs(audio))) < DIGITAL_SILENCE


def normalize(audio: Floats, target_db: float = TARGET_DB) -> Floats:
    """`audio` scaled so its speech level is `target_db`, amplified by at most MAX_GAIN_DB, peaks kept below
    PEAK_CEILING. Digital silence is returned unchanged."""
    if is_digital_silence(audio):
        return audio
    gain_db = min(target_db - speech_level_db(audio), MAX_GAIN_DB)
    peak = float(np.max(np.abs(audio)))
    gain = min(10 ** (gain_db / 20), PEAK_CEILING / peak)
    return (audio * np.float32(gain)).astype(np.float32)


@dataclass(frozen=True)
class LevelNotice:
    """Something to tell the user about a source's level: 'quiet' or 'clipping', with the measured level."""

    code: str
    level_db: float
    message: str


class LevelWatch:
    """Follows one source's speech level and clipping while recording. Feed frames with their VAD speech
    probability; `push` returns a notice when one is due (once per condition, again after it went away).

    Quiet: the speech heard over the last `window_s` seconds of speech stays below QUIET_DB.
    Clipping: more than `clip_frames` frames with full-scale samples within the last 5 s of audio.
    """

    def __init__(self, window_s: float = 4.0, clip_frames: int = 8, rate: int = 16000) -> None:
        self.rate = rate
        self.window = int(window_s * rate)
        self.clip_frames = clip_frames
        self._speech: list[float] = []  # mean square of recent speech frames
        self._speech_samples: list[int] = []
        self._clipped: list[int] = []  # positions of recent frames with full-scale samples
        self._position = 0
        self.quiet = False
        self.clipping = False

    def push(self, frame: Floats, speech_prob: float) -> LevelNotice | None:
        pos = self._position
        self._position += frame.size
        notice = None
        if frame.size and float(np.max(np.abs(frame))) >= CLIP:
            self._clipped.append(pos)
        self._clipped = [p for p in self._clipped if p > pos - 5 * self.rate]
        clipping = len(self._clipped) > self.clip_frames
        if clipping and not self.clipping:
            notice = LevelNotice("clipping", 0.0, "the input is clipping (too loud): lower the input volume")
        self.clipping = clipping
        if speech_prob < 0.5 or frame.size == 0:
            return notice
        self._speech.append(float(np.mean(np.square(frame, dtype=np.float64))))
        self._speech_samples.append(frame.size)
        while sum(self._speech_samples) - self._speech_samples[0] >= self.window:
            self._speech.pop(0)
            self._speech_samples.pop(0)
        if sum(self._speech_samples) < self.window:
            return notice
        level = db(math.sqrt(float(np.mean(self._speech))))
        quiet = level < QUIET_DB
        if quiet and not self.quiet and notice is None:
            notice = LevelNotice(
                "quiet_input",
                round(level, 1),
                f"speech is very quiet ({level:.0f} dBFS): it is amplified for transcription, but move closer "
                "to the microphone or raise its volume for better results",
            )
        if quiet or level > QUIET_DB + 6:  # hysteresis: it must get clearly louder to count as fixed
            self.quiet = quiet
        return notice


class SpeechLevel:
    """The speech level of a whole file, and how much of it clipped: fed like LevelWatch, read at the end."""

    def __init__(self) -> None:
        self._sum = 0.0
        self._samples = 0
        self._frames = 0
        self.clipped_frames = 0

    def push(self, frame: Floats, speech_prob: float) -> None:
        if frame.size == 0:
            return
        self._frames += 1
        if float(np.max(np.abs(frame))) >= CLIP:
            self.clipped_frames += 1
        if speech_prob >= 0.5:
            self._sum += float(np.sum(np.square(frame, dtype=np.float64)))
            self._samples += frame.size

    @property
    def level_db(self) -> float | None:
        """RMS of the speech heard, in dBFS; None when no speech was heard."""
        return db(math.sqrt(self._sum / self._samples)) if self._samples else None

    def notices(self) -> list[str]:
        """What the user should know about the file's level."""
        out = []
        level = self.level_db
        if level is not None and level < QUIET_DB:
            out.append(f"the speech is very quiet ({level:.0f} dBFS); it was amplified for transcription")
        if self._frames and self.clipped_frames > max(8, self._frames // 200):
            out.append(
                f"the audio clips (full scale in {self.clipped_frames} of {self._frames} frames): words may be lost"
            )
        return out


class VadGain:
    """Automatic gain in front of the VAD, so it hears speech at a working level whatever the input's level.

    The level followed is a decaying peak of the frames' RMS: it rises at once with a loud frame (which is
    then scaled down with it) and falls by half every `half_life_s` of quieter audio. Only a frame of zeros
    leaves it alone: any other threshold is a level, and quiet speech's soft starts (below one PCM16 step at
    −65 dBFS) would reach the VAD later than the same speech recorded loud. The gain is at most MAX_GAIN_DB;
    the stored audio is never touched."""

    def __init__(self, target_db: float = -18.0, half_life_s: float = 3.0, frame: int = 512, rate: int = 16000) -> None:
        self.target = 10 ** (target_db / 20)
        self.decay = 0.5 ** (frame / rate / half_life_s)
        self.max_gain = 10 ** (MAX_GAIN_DB / 20)
        self.envelope = 0.0

    def __call__(self, frame: Floats) -> Floats:
        rms = math.sqrt(float(np.mean(np.square(frame, dtype=np.float64)))) if frame.size else 0.0
        if rms == 0.0:
            return frame
        self.envelope = max(rms, self.envelope * self.decay)
        gain = min(self.target / self.envelope, self.max_gain)
        return (frame * np.float32(gain)).astype(np.float32)


class SystemSilenceWatch:
    """Mic and system recorded: True once when the system channel has been digitally silent for `limit` samples
    while the microphone heard something for at least a second (the wrong monitor source was chosen)."""

    def __init__(self, limit: int, rate: int = 16000) -> None:
        self.limit = limit
        self.rate = rate
        self._silent = 0  # samples of digital silence on the system channel
        self._mic_heard = 0  # ...of which the microphone was not silent
        self.warned = False

    def push(self, frames: Floats) -> bool:
        """`frames` is (n, 2): mic, system."""
        if np.any(frames[:, 1] != 0):
            self._silent = self._mic_heard = 0
            return False
        self._silent += frames.shape[0]
        if float(np.sqrt(np.mean(frames[:, 0] ** 2))) > 1e-3:
            self._mic_heard += frames.shape[0]
        if not self.warned and self._silent >= self.limit and self._mic_heard >= self.rate:
            self.warned = True
            return True
        return False
