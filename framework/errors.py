"""What the outcome framework refuses, with translated messages per field."""

from __future__ import annotations


class FrameworkError(ValueError):
    """Input the framework refuses: translated messages per field ("" for the input as a whole)."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(" ".join(message for messages in errors.values() for message in messages))


def refuse(field_name: str, message: str) -> FrameworkError:
    return FrameworkError({field_name: [message]})
