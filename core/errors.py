"""Exceptions raised by Rujuk, so callers can tell bad input from missing data.

A value is echoed in a message as its ``repr``, cut to :data:`SHOWN_CHARS` characters
(:func:`shown`): a 20 kB parameter must not come back as a 20 kB error, in the API, the
pages or the command line. The full value stays in the ``value`` attribute.
"""

from __future__ import annotations

SHOWN_CHARS = 100
"""Most characters of a value repeated in an error message."""


def cut(text: str) -> str:
    """Return `text` at most :data:`SHOWN_CHARS` characters long, the last an ellipsis when it was cut."""
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def shown(value: object) -> str:
    """Return ``repr(value)`` cut to :data:`SHOWN_CHARS` characters (with "..." when cut)."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


class RujukError(Exception):
    """Base class of Rujuk's own errors."""


class DataUnavailableError(RujukError):
    """A third-party file or a built artefact is missing; the message says how to get it."""


class InputError(RujukError, ValueError):
    """A value given by the user is invalid; the message names the field and the value."""

    def __init__(self, field: str, value: object, message: str) -> None:
        self.field = field
        self.value = value
        self.reason = message
        super().__init__(f"`{field}` was {shown(value)} but {message}")


class RowError(RujukError):
    """One row of an imported file is invalid."""

    def __init__(self, row: int, field: str, value: object, message: str) -> None:
        self.row = row
        self.field = field
        self.value = value
        self.message = message
        super().__init__(f"row {row}: `{field}` was {shown(value)} but {message}")

    def as_dict(self) -> dict[str, object]:
        """Return the error as JSON-ready data."""
        return {"row": self.row, "field": self.field, "value": self.value, "message": self.message}


class ImportRejectedError(RujukError):
    """A whole file was rejected; nothing was written. ``errors`` lists every bad row, by row number.

    The errors are sorted by row (stably: the errors of one row keep their order), so
    a check that runs over the whole file after the row-by-row checks still reports
    in file order.
    """

    def __init__(self, source: str, errors: list[RowError]) -> None:
        self.source = source
        self.errors = sorted(errors, key=lambda error: error.row)
        lines = "\n".join(f"  {error}" for error in self.errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{source} was rejected with {len(errors)} row error(s); nothing was written:\n{lines}{more}")


class NotFoundError(RujukError, LookupError):
    """A code, name or id names nothing; the message lists close matches where there are any.

    ``field`` and ``value`` say which input named nothing, where the raiser knows it (None otherwise).
    """

    def __init__(self, message: str, field: str | None = None, value: object = None) -> None:
        self.field = field
        self.value = value
        super().__init__(message)
