"""The mapping layer's errors: each names the row, field or value an admin has to fix."""

from __future__ import annotations

from decimal import Decimal


class MappingError(Exception):
    """Base of every error this package raises."""


class MappingFileError(MappingError):
    """A mapping document that is not `{"rows": [{"source", "target", "update"}]}`.

    Every problem found is kept, so an admin fixes the file in one pass.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


class DescribeError(MappingError):
    """A payload that is not a Salesforce describe result."""


class UnknownField(MappingError):
    """A field name or relationship path the describe does not know."""


class UnsupportedField(MappingError):
    """A field whose type cannot be converted (base64, location, a compound whole, ...)."""


class ConversionError(MappingError):
    """One value of one field could not be converted; the run skips the field and goes on."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {_shown(value)} {reason}")


def _shown(value: object, limit: int = 60) -> str:
    """The value as a log line shows it, cut so a 32,000-character textarea stays readable; a
    decimal as its digits, not Python's `Decimal('-1E+3')`."""
    text = format(value, "f") if isinstance(value, Decimal) else repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
