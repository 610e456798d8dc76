"""Every command the UI can call, declared once in groups by domain (each command a method with its types); the
server registers them on its services, the TypeScript generator reads the same declarations."""

from __future__ import annotations

from aiwisper.api.commands.app import AppCommands
from aiwisper.api.commands.base import Commands, export_bytes
from aiwisper.api.commands.library import LibraryCommands
from aiwisper.api.commands.notes import NoteCommands
from aiwisper.api.commands.sessions import SessionCommands
from aiwisper.api.commands.speakers import SpeakerCommands
from aiwisper.api.registry import Registry
from aiwisper.services import Services

GROUPS: tuple[type[Commands], ...] = (AppCommands, SessionCommands, SpeakerCommands, NoteCommands, LibraryCommands)


def build_registry(services: Services) -> Registry:
    """Every command, bound to `services`."""
    reg = Registry()
    for group in GROUPS:
        reg.add(group(services))
    return reg


def declared_registry() -> Registry:
    """Every command's declaration (name, parameters, result, help), read from the classes; calling one fails."""
    reg = Registry()
    for group in GROUPS:
        reg.add(group)
    return reg


__all__ = ["GROUPS", "build_registry", "declared_registry", "export_bytes"]
