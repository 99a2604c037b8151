"""A mapping: ordered `source -> target` rows, and the JSON file admins write them in.

The same shape serves both directions: for a pull the source is a Salesforce field and the
target a contact field; for an export the source is a prospect field and the target a Salesforce
field. Rows sharing a target form a fallback hierarchy in file order, numbered 1, 2, ... as the
admin pages show them: the first source with a value wins.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from forcebridge.mapping.errors import MappingFileError
from forcebridge.store.models.mapping import UpdateOption

__all__ = ["Mapping", "MappingRow", "UpdateOption", "parse_mapping_json"]

_ROW_KEYS = frozenset({"source", "target", "update"})


@dataclass(frozen=True, slots=True)
class MappingRow:
    source: str
    target: str
    update: UpdateOption = UpdateOption.OVERWRITE

    @property
    def blank(self) -> bool:
        return not self.source.strip() or not self.target.strip()


@dataclass(frozen=True)
class Mapping:
    """Rows in priority order. Row numbers (1-based, file order) are how problems name rows."""

    rows: tuple[MappingRow, ...] = ()
    _levels: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seen: dict[str, int] = {}
        levels = []
        for row in self.rows:
            seen[row.target] = seen.get(row.target, 0) + 1
            levels.append(seen[row.target])
        object.__setattr__(self, "_levels", tuple(levels))

    @classmethod
    def of(cls, *rows: tuple[str, str] | tuple[str, str, UpdateOption]) -> Mapping:
        """A mapping from `(source, target[, update])` tuples; for defaults and tests."""
        return cls(tuple(MappingRow(*row) for row in rows))

    @property
    def targets(self) -> tuple[str, ...]:
        """Each target once, in the order it first appears."""
        return tuple(dict.fromkeys(row.target for row in self.rows))

    @property
    def sources(self) -> tuple[str, ...]:
        """Each source once, in the order it first appears."""
        return tuple(dict.fromkeys(row.source for row in self.rows))

    def hierarchy(self, target: str) -> tuple[MappingRow, ...]:
        """The rows feeding `target`, highest priority first."""
        return tuple(row for row in self.rows if row.target == target)

    def level(self, row_number: int) -> int:
        """The 1-based place of row `row_number` (1-based) within its target's hierarchy."""
        return self._levels[row_number - 1]

    def numbered(self) -> Iterable[tuple[int, MappingRow]]:
        """`(row number, row)` pairs, numbered from 1 as problems name them."""
        return enumerate(self.rows, start=1)

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": [
                {"source": row.source, "target": row.target, "update": row.update.value}
                for row in self.rows
            ]
        }

    @classmethod
    def from_json(cls, data: object) -> Mapping:
        """Check the document's shape; `MappingFileError` lists every row that is wrong.

        Blank sources or targets are accepted here: an admin may save a draft with an empty
        row, and "Verify and Save" names it.
        """
        if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
            raise MappingFileError(['a mapping is an object with a "rows" list'])
        extra = sorted(set(data) - {"rows"})
        problems = [f"unknown key {key!r} at the top level" for key in extra]
        rows = []
        for number, item in enumerate(data["rows"], start=1):
            row, row_problems = _row_from_json(item)
            problems.extend(f"row {number}: {problem}" for problem in row_problems)
            if row is not None:
                rows.append(row)
        if problems:
            raise MappingFileError(problems)
        return cls(tuple(rows))


def parse_mapping_json(text: str) -> Mapping:
    """A mapping from the text of a mapping file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MappingFileError(
            [f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]
        ) from None
    return Mapping.from_json(data)


def _row_from_json(item: object) -> tuple[MappingRow | None, list[str]]:
    if not isinstance(item, dict):
        return None, ['must be an object with "source", "target" and "update"']
    problems = [f"unknown key {key!r}" for key in sorted(set(item) - _ROW_KEYS)]
    for key in ("source", "target"):
        if key not in item:
            problems.append(f'"{key}" is missing')
        elif not isinstance(item[key], str):
            problems.append(f'"{key}" must be a string, not {type(item[key]).__name__}')
    update = item.get("update", UpdateOption.OVERWRITE.value)
    if update not in {option.value for option in UpdateOption}:
        problems.append(f'"update" must be "overwrite" or "fill_empty", not {update!r}')
    if problems:
        return None, problems
    return MappingRow(item["source"], item["target"], UpdateOption(update)), []
