"""Which of a mapping row's controls a problem is about: the editor marks those controls
invalid (`aria-invalid`) and ties them to the problem's text (`aria-describedby`), so a screen
reader says what is wrong with the field it is on, not only that the row has a problem."""

from __future__ import annotations

from dataclasses import dataclass

from forcebridge.mapping.model import MappingRow
from forcebridge.mapping.report import Problem, ProblemCode

SOURCE, TARGET, UPDATE = CONTROLS = ("source", "target", "update")
"""A row's controls, in the order the page shows them."""


@dataclass(frozen=True)
class RowProblem:
    text: str
    """A sentence naming the row ("Row 17: ...")."""
    controls: frozenset[str]
    """The row's controls at fault (`CONTROLS`)."""


def at_fault(problem: Problem, row: MappingRow) -> frozenset[str]:
    """The controls of `row` that `problem` is about: a blank side; both fields of a row
    repeating an earlier one; else the field the problem names (a problem of the form itself
    names the control: `update` for an option the editor does not offer), or both fields when
    it names neither (a type mismatch is the pair's)."""
    sides = {SOURCE: row.source.strip(), TARGET: row.target.strip()}
    if problem.code is ProblemCode.BLANK_ROW:
        return frozenset(side for side, value in sides.items() if not value) or frozenset(sides)
    if problem.code is ProblemCode.DUPLICATE_ROW:
        return frozenset(sides)
    named = problem.field.strip().lower()
    matching = frozenset(side for side, value in sides.items() if value and value.lower() == named)
    if matching:
        return matching
    if named in CONTROLS:
        return frozenset({named})
    return frozenset(sides)
