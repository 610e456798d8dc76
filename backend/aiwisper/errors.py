"""Exceptions the app raises on purpose; each carries a message a user can act on, and a stable code.

The codes, with the HTTP status the browser fallback answers them with, are defined once here; the UI's
`ErrorCode` type is generated from this table.
"""

HTTP_STATUS: dict[str, int] = {
    "invalid_argument": 400,
    "not_found": 404,
    "busy": 409,
    "cancelled": 409,
    "too_large": 413,
    "failed": 500,
    "unavailable": 503,
}
CODES: tuple[str, ...] = tuple(HTTP_STATUS)


class AiwisperError(Exception):
    """Base class of the errors AIWisper raises on purpose."""

    code = "failed"


class NotFoundError(AiwisperError):
    """A named thing (model, session, device) does not exist."""

    code = "not_found"


class InvalidArgumentError(AiwisperError):
    """A caller passed a value the command cannot use."""

    code = "invalid_argument"


class ModelFormatError(InvalidArgumentError):
    """A model file or directory is truncated, foreign or corrupt."""
