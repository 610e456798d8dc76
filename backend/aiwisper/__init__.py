"""AIWisper: a private, local recorder and transcriber."""

__version__ = "0.1.0"
