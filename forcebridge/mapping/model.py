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
from forcebridge.mapping.report import Problem, ProblemCode
from forcebridge.store.models.mapping import UpdateOption
from forcebridge.wording import json_kind

__all__ = [
    "Mapping",
    "MappingFile",
    "MappingOf",
    "MappingRow",
    "UpdateOption",
    "parse_mapping_json",
    "read_mapping",
    "read_mapping_json",
    "update_option",
]

_ROW_KEYS = frozenset({"source", "target", "update"})
_SHOWN_ROW_KEYS = frozenset({"salesforce_label"})
"""What `mapping show --json` adds to a row for people to read: a document it printed is read
back as it is, these ignored (a label the org has since changed misleads nobody, as nothing
is taken from it)."""
_SHOWN_KEYS = frozenset({"direction", "object", "default"})
"""What `mapping show --json` says of the mapping beside its rows: `default` is ignored,
`direction` and `object` must be the mapping's being read (`read_mapping`)."""


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
        """Check the document's shape; `MappingFileError` lists every problem of it.

        Blank sources or targets are accepted here: an admin may save a draft with an empty
        row, and "Verify and Save" names it.
        """
        return read_mapping(data).checked()


@dataclass(frozen=True)
class MappingFile:
    """A mapping document read as far as it goes, and its own problems, which "Verify and
    Save" reports with those it finds (`VerificationReport.joined`), so an admin sees every
    problem at once. Each row keeps its number: a source or target it lacks (or gives as no
    string) is left blank, an update option it gets wrong is read as `overwrite`."""

    mapping: Mapping | None
    """None when the document holds no rows to read (not JSON, no "rows" list)."""
    problems: tuple[Problem, ...] = ()

    def checked(self) -> Mapping:
        """The mapping, or `MappingFileError` naming every problem of the document."""
        if self.problems or self.mapping is None:
            raise MappingFileError([str(problem) for problem in self.problems])
        return self.mapping


@dataclass(frozen=True)
class MappingOf:
    """Which mapping a document is read as: "pull" or "export", of an object."""

    direction: str
    sobject: str


def parse_mapping_json(text: str) -> Mapping:
    """A mapping from the text of a mapping file; `MappingFileError` names every problem."""
    return read_mapping_json(text).checked()


def read_mapping_json(text: str, of: MappingOf | None = None) -> MappingFile:
    """The text of a mapping file, read as far as it goes (`of`: as `read_mapping`)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        why = f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        return MappingFile(None, (_file_problem(why),))
    return read_mapping(data, of)


def read_mapping(data: object, of: MappingOf | None = None) -> MappingFile:
    """A mapping document (parsed JSON), read as far as it goes: `{"rows": [...]}`, or all
    `mapping show --json` printed, its display-only keys ignored. A document saying it is
    another mapping than the one it is read `of` (the pull mapping of Contact read as the export
    mapping of Lead) has that problem, reported with its rows' own."""
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        return MappingFile(None, (_file_problem('a mapping is an object with a "rows" list'),))
    problems = [
        _file_problem(f"unknown key {key!r} at the top level")
        for key in sorted(set(data) - {"rows", *_SHOWN_KEYS})
    ]
    if of is not None:
        problems.extend(_another_mapping(data, of))
    rows = []
    for number, item in enumerate(data["rows"], start=1):
        row, row_problems = _row_from_json(item)
        problems.extend(
            Problem(number, key, ProblemCode.INVALID_ROW, why) for key, why in row_problems
        )
        rows.append(row)
    return MappingFile(Mapping(tuple(rows)), tuple(problems))


def update_option(value: object) -> UpdateOption | None:
    """The update option `value` names ("overwrite", "fill_empty"); None for anything else."""
    return next((option for option in UpdateOption if option.value == value), None)


def _file_problem(why: str, key: str = "") -> Problem:
    return Problem(None, key, ProblemCode.INVALID_FILE, why)


def _another_mapping(data: dict[str, Any], of: MappingOf) -> list[Problem]:
    """The document's `direction` and `object` (as `mapping show` printed it) where they are
    not those of the mapping it is read as; an object in another case is the same one."""
    problems = []
    if "direction" in data and data["direction"] != of.direction:
        problems.append(_not_this("direction", data["direction"], of.direction, "kind of mapping"))
    said = data.get("object", of.sobject)
    if not (isinstance(said, str) and said.lower() == of.sobject.lower()):
        problems.append(_not_this("object", said, of.sobject, "object's mapping"))
    return problems


def _not_this(key: str, said: object, meant: str, what: str) -> Problem:
    shown = json.dumps(said, ensure_ascii=False)
    return _file_problem(
        f'"{key}" is {shown}, not "{meant}": the file holds another {what};'
        ' keep its "rows" alone to use them here',
        key,
    )


def _row_from_json(item: object) -> tuple[MappingRow, list[tuple[str, str]]]:
    """The row as far as it reads, and its problems, each with the key at fault ("" for the
    row as a whole)."""
    if not isinstance(item, dict):
        return MappingRow("", ""), [("", 'must be an object with "source", "target" and "update"')]
    unknown = set(item) - _ROW_KEYS - _SHOWN_ROW_KEYS
    problems = [(key, f"unknown key {key!r}") for key in sorted(unknown)]
    sides = {}
    for key in ("source", "target"):
        value = item.get(key)
        if key not in item:
            problems.append((key, f'"{key}" is missing'))
        elif not isinstance(value, str):
            problems.append((key, f'"{key}" must be a string, not {json_kind(value)}'))
        sides[key] = value if isinstance(value, str) else ""
    update = item.get("update")  # left out, or null: overwrite
    option = UpdateOption.OVERWRITE if update is None else update_option(update)
    if option is None:
        shown = json.dumps(update, ensure_ascii=False)
        problems.append(("update", f'"update" must be "overwrite" or "fill_empty", not {shown}'))
    return MappingRow(sides["source"], sides["target"], option or UpdateOption.OVERWRITE), problems
