"""Errors that carry what a user needs to fix their input."""

from __future__ import annotations

from dataclasses import dataclass


class LiveCommerceError(Exception):
    """Base of every error the platform raises on purpose."""


class NotFound(LiveCommerceError):
    """The thing asked for does not exist, or the actor may not see it (we do not say which)."""


class PermissionDenied(LiveCommerceError):
    """The actor's role or scope does not allow this action."""


class ValidationFailed(LiveCommerceError):
    """Input broke a rule; ``problems`` lists each breach."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class UnreadableInput(LiveCommerceError):
    """A file could not be read at all (format, encoding, missing required columns)."""


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (file, row, column), what (value) and which rule."""

    rule: str
    column: str | None = None
    value: str | None = None
    row: int | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"file {self.file}" if self.file else "",
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column}" if self.column else "",
                f"value {self.value!r}" if self.value is not None else "",
            )
            if part
        )
        return f"{where}: {self.rule}" if where else self.rule
