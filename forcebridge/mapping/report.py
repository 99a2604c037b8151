"""What verification reports: problems, each naming its row and field, and the verdict."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_ROW_SIDES = frozenset({"", "source", "target"})
"""The `field` of a problem a mapping file's row has with its source or target, or with the
row as a whole (not an object)."""


class ProblemCode(enum.StrEnum):
    BLANK_ROW = "blank_row"
    DUPLICATE_ROW = "duplicate_row"
    UNKNOWN_SOURCE = "unknown_source"
    UNKNOWN_TARGET = "unknown_target"
    UNREADABLE = "unreadable"
    UNSUPPORTED_TYPE = "unsupported_type"
    TYPE_MISMATCH = "type_mismatch"
    NOT_CREATEABLE = "not_createable"
    NOT_UPDATEABLE = "not_updateable"
    REQUIRED_UNMAPPED = "required_unmapped"
    VALUES_DO_NOT_FIT = "values_do_not_fit"
    NOT_SELECTED = "not_selected"
    UNKNOWN_OBJECT = "unknown_object"
    INVALID_QUERY = "invalid_query"
    INVALID_ROW = "invalid_row"
    INVALID_FILE = "invalid_file"


@dataclass(frozen=True, slots=True)
class Problem:
    row: int | None
    """The 1-based row number, or None for problems of the whole mapping or query."""
    field: str
    code: ProblemCode
    message: str

    def __str__(self) -> str:
        return self.message if self.row is None else f"row {self.row}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "code": self.code.value, "message": str(self)}


@dataclass(frozen=True)
class VerificationReport:
    problems: tuple[Problem, ...]
    rows: int
    """How many rows were checked, for the success message."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def without(self, *codes: ProblemCode) -> VerificationReport:
        """The report less the problems of some kinds, which the caller says better itself
        or tolerates."""
        return VerificationReport(tuple(p for p in self.problems if p.code not in codes), self.rows)

    def joined(self, found: Sequence[Problem]) -> VerificationReport:
        """The report with the problems `found` before verifying (the mapping file's or form's
        own: a bad update option, a row with no target key), each row's first, rows in order,
        so every problem is told at once. A row `found` could not read a source or target of
        (or any row at all) is not called blank as well."""
        if not found:
            return self
        unread = {p.row for p in found if p.row is not None and p.field in _ROW_SIDES}
        own = (
            p for p in self.problems if p.code is not ProblemCode.BLANK_ROW or p.row not in unread
        )
        problems = sorted((*found, *own), key=lambda p: (p.row is None, p.row or 0))
        return VerificationReport(tuple(problems), self.rows)

    @property
    def message(self) -> str:
        if self.ok:
            rows = "1 row maps" if self.rows == 1 else f"{self.rows} rows map"
            return f"Verified: {rows} existing fields of compatible types."
        count = len(self.problems)
        lines = "\n".join(f"- {line.text}" for line in readable(self.problems))
        queried = any(p.code is ProblemCode.INVALID_QUERY for p in self.problems)
        what = "The query and its mapping have" if queried else "The mapping has"
        return f"{what} {count} problem{'s' if count > 1 else ''}:\n{lines}"

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "message": self.message,
            "problems": [problem.to_json() for problem in self.problems],
        }


@dataclass(frozen=True)
class Line:
    """A line of a report as people read it, and the problems it says."""

    text: str
    problems: tuple[Problem, ...]


def readable(problems: Sequence[Problem]) -> tuple[Line, ...]:
    """Each problem on a line of its own, but the rows reading fields a custom query does not
    select, said once where the first of them stands: a field missing from the query leaves
    every row reading it so, hundreds of them in a long mapping."""
    unselected = tuple(p for p in problems if p.code is ProblemCode.NOT_SELECTED)
    if len(unselected) < 2:
        return tuple(Line(str(problem), (problem,)) for problem in problems)
    lines = []
    for problem in problems:
        if problem.code is not ProblemCode.NOT_SELECTED:
            lines.append(Line(str(problem), (problem,)))
        elif problem == unselected[0]:
            lines.append(Line(_unselected(unselected), unselected))
    return tuple(lines)


def _unselected(problems: tuple[Problem, ...]) -> str:
    numbers = sorted({p.row for p in problems if p.row is not None})
    spans: list[str] = []
    start = previous = numbers[0]
    for number in [*numbers[1:], 0]:
        if number != previous + 1:
            spans += [str(start)] if start == previous else [f"{start} to {previous}"]
            start = number
        previous = number
    fields = tuple(dict.fromkeys(p.field for p in problems))
    return (
        f"rows {listed(tuple(spans))} read fields the query does not select: {listed(fields)}; "
        "add them to its SELECT list or remove the rows"
    )


def listed(values: tuple[str, ...] | list[str], limit: int = 12) -> str:
    """A readable list for a message, cut after `limit` items (picklists can hold hundreds)."""
    shown = ", ".join(values[:limit])
    return shown + (f", ... ({len(values) - limit} more)" if len(values) > limit else "")
