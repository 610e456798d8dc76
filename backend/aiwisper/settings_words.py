"""How the settings page presents each setting to a person: its group, a label in words, the unit of a number and
whether it is a detail shown only under "Advanced". The names and values stay those of `settings.SETTINGS`."""

from __future__ import annotations

from dataclasses import dataclass

GROUPS = ("Recording", "Transcription", "Speakers", "Notes", "Storage & privacy")


@dataclass(frozen=True)
class Shown:
    group: str
    label: str
    unit: str = ""  # "ms", "s", "min", "MB" or "" (a plain number, a switch or a choice)
    advanced: bool = False


SHOWN: dict[str, Shown] = {
    "recording.mic": Shown("Recording", "Microphone"),
    "recording.system": Shown("Recording", "Also record the computer's sound"),
    "app.welcomed": Shown("", "First run done"),  # not on the settings page: the first run sets it
    "recording.auto_stop_minutes": Shown("Recording", "Stop by itself after silence", "min"),
    "recording.system_silence_warning_s": Shown("Recording", "Warn when the call's audio goes silent after", "s"),
    "vad.threshold": Shown("Recording", "How sure the detector must be that someone speaks", advanced=True),
    "vad.neg_threshold": Shown("Recording", "How sure it must be that the speech ended", advanced=True),
    "vad.min_silence_ms": Shown("Recording", "A pause that ends a phrase", "ms", advanced=True),
    "vad.pre_roll_ms": Shown("Recording", "Audio kept before each phrase", "ms", advanced=True),
    "vad.min_speech_ms": Shown("Recording", "Shortest sound kept as speech", "ms", advanced=True),
    "vad.max_chunk_s": Shown("Recording", "Longest phrase before it is split", "s", advanced=True),
    "transcription.language": Shown("Transcription", "Language spoken"),
    "transcription.model": Shown("Transcription", "Speech model"),
    "transcription.vocabulary": Shown("Transcription", "Names and words to expect"),
    "transcription.translate": Shown("Transcription", "Translate into English"),
    "transcription.second_pass_model": Shown("Transcription", "A second, more careful pass after Stop"),
    "transcription.beam_size": Shown("Transcription", "Search width for files", advanced=True),
    "transcription.engine": Shown("Transcription", "Speech engine", advanced=True),
    "transcription.fast_encoder": Shown("Transcription", "Faster encoding of short phrases", advanced=True),
    "transcription.threads": Shown("Transcription", "Processor threads", advanced=True),
    "transcription.worker_memory_mb": Shown("Transcription", "Restart the engine above", "MB", advanced=True),
    "guard.no_speech_thold": Shown("Transcription", "Drop windows that are probably not speech", advanced=True),
    "guard.logprob_thold": Shown("Transcription", "Mark uncertain phrases below", advanced=True),
    "guard.max_compression_ratio": Shown("Transcription", "Catch repeated text above", advanced=True),
    "guard.low_word_p": Shown("Transcription", "Mark uncertain words below", advanced=True),
    "speakers.auto": Shown("Speakers", "Find who spoke when, after each meeting"),
    "speakers.live": Shown("Speakers", "Label who speaks while recording"),
    "summaries.auto": Shown("Notes", "Write meeting notes by themselves"),
    "summaries.model": Shown("Notes", "Notes model", advanced=True),
    "summaries.endpoint": Shown("Storage & privacy", "Send transcripts to a notes server", advanced=True),
}


def shown(name: str) -> Shown:
    """How setting `name` is shown (an unknown one: under Advanced, by its name)."""
    return SHOWN.get(name, Shown("Transcription", name, advanced=True))
