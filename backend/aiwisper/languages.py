"""Languages: the codes Whisper knows, and which language a model can transcribe. Defined once, here.

An English-only model (tiny.en, base.en, …) transcribes English: it is never asked to detect a language (it
would "detect" any language its tokenizer knows and then fail). Detection needs a multilingual model, and what
it detects is checked against the codes below before it is stored.
"""

from __future__ import annotations

from aiwisper.errors import InvalidArgumentError

NAMES: dict[str, str] = {  # each code Whisper knows, with its name in English (for what a language model writes)
    "en": "English", "zh": "Chinese", "de": "German", "es": "Spanish", "ru": "Russian", "ko": "Korean",
    "fr": "French", "ja": "Japanese", "pt": "Portuguese", "tr": "Turkish", "pl": "Polish", "ca": "Catalan",
    "nl": "Dutch", "ar": "Arabic", "sv": "Swedish", "it": "Italian", "id": "Indonesian", "hi": "Hindi",
    "fi": "Finnish", "vi": "Vietnamese", "he": "Hebrew", "uk": "Ukrainian", "el": "Greek", "ms": "Malay",
    "cs": "Czech", "ro": "Romanian", "da": "Danish", "hu": "Hungarian", "ta": "Tamil", "no": "Norwegian",
    "th": "Thai", "ur": "Urdu", "hr": "Croatian", "bg": "Bulgarian", "lt": "Lithuanian", "la": "Latin",
    "mi": "Maori", "ml": "Malayalam", "cy": "Welsh", "sk": "Slovak", "te": "Telugu", "fa": "Persian",
    "lv": "Latvian", "bn": "Bengali", "sr": "Serbian", "az": "Azerbaijani", "sl": "Slovenian", "kn": "Kannada",
    "et": "Estonian", "mk": "Macedonian", "br": "Breton", "eu": "Basque", "is": "Icelandic", "hy": "Armenian",
    "ne": "Nepali", "mn": "Mongolian", "bs": "Bosnian", "kk": "Kazakh", "sq": "Albanian", "sw": "Swahili",
    "gl": "Galician", "mr": "Marathi", "pa": "Punjabi", "si": "Sinhala", "km": "Khmer", "sn": "Shona",
    "yo": "Yoruba", "so": "Somali", "af": "Afrikaans", "oc": "Occitan", "ka": "Georgian", "be": "Belarusian",
    "tg": "Tajik", "sd": "Sindhi", "gu": "Gujarati", "am": "Amharic", "yi": "Yiddish", "lo": "Lao", "uz": "Uzbek",
    "fo": "Faroese", "ht": "Haitian Creole", "ps": "Pashto", "tk": "Turkmen", "nn": "Nynorsk", "mt": "Maltese",
    "sa": "Sanskrit", "lb": "Luxembourgish", "my": "Myanmar", "bo": "Tibetan", "tl": "Tagalog", "mg": "Malagasy",
    "as": "Assamese", "tt": "Tatar", "haw": "Hawaiian", "ln": "Lingala", "ha": "Hausa", "ba": "Bashkir",
    "jw": "Javanese", "su": "Sundanese", "yue": "Cantonese",
}  # fmt: skip
LANGUAGES: tuple[str, ...] = tuple(NAMES)  # in Whisper's order
_KNOWN = frozenset(LANGUAGES)
AUTO = "auto"


def check_language(code: str | None) -> str | None:
    """A Whisper language code, or None for detection ("auto"); a clear error for anything else."""
    if code in (None, "", AUTO):
        return None
    if code not in _KNOWN:
        raise InvalidArgumentError(f"unknown language code {code!r} (use a Whisper code such as en, de, fr, or auto)")
    return code


def for_model(model_name: str, english_only: bool, language: str | None) -> str | None:
    """The language `model_name` will transcribe when asked for `language` (None: detect).

    English-only models transcribe English, so "auto" means "en" for them; any other language cannot work
    with them and is refused here, before anything is recorded."""
    if not english_only:
        return language
    if language not in (None, "en"):
        raise InvalidArgumentError(
            f"model {model_name} is English-only and cannot transcribe {language!r}: choose a multilingual model "
            "(such as base) or the language 'en'"
        )
    return "en"


def detected(code: str | None) -> str | None:
    """A detected language as stored: a known code, or None when the engine answered something unusable."""
    return code if code in _KNOWN else None
