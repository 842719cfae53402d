"""Errors of the sheet engine, kept apart so every module can raise them without import cycles."""

from __future__ import annotations


class SheetSpecError(ValueError):
    """The sheet's columns are inconsistent (unknown reference, cycle, duplicate, bad field).

    A ValueError so callers validating user input can catch it generically; the message always
    names the offending column, field or reference because it is shown to the user as is.
    """


class CellOutputError(ValueError):
    """A model's raw answer does not fit the column's output type; the cell becomes an error."""


class CellRunError(RuntimeError):
    """A runner's failure that still knows about the attempt (run and step ids, model, tokens).

    The executor shows the message as the cell's error reason as is and merges `provenance` into
    the cell's provenance, so a failed cell can still be traced to the recorded step.
    """

    def __init__(self, message: str, *, provenance: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.provenance = dict(provenance or {})

    def __reduce__(self) -> tuple:  # crosses the agent engine's pipe with its provenance
        return (type(self), (str(self),), {"provenance": self.provenance})
