"""Exceptions the app raises on purpose; each carries a message a user can act on."""


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
