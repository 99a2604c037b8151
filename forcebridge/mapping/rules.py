"""Applying a mapping to records: the hot path of every pull and export.

A mapping is compiled once per run (names spelled as the org spells them, a reader and a
converter per row, hierarchies grouped), so `resolve` does dictionary reads and the converters'
own work per record, nothing more.

- `resolve`: for each target, the first source in its hierarchy with a value wins. Empty is
  None, "" or only whitespace; `False` and `0` are values. A value that fails conversion skips
  that target for that record (reported in `errors`), rather than falling back to a lower row,
  so a broken field never silently changes which source feeds a target.
- When every source of a target is empty, a pull clears the contact field (if the
  hierarchy's first row says `overwrite`: Salesforce is the source of truth), while an export
  sends nothing for it (a prospect lacking a value must not blank a Salesforce field). A source
  absent from the record altogether (not selected, not a column of the file) is no information,
  never a reason to clear.
- `plan_update`: `overwrite` sets whenever the value differs, `fill_empty` only where the
  current value is empty. Only real changes come back, so "unchanged" can be counted.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from forcebridge.mapping.converters import FieldConverter
from forcebridge.mapping.describe import Catalog, ObjectDescribe
from forcebridge.mapping.errors import ConversionError
from forcebridge.mapping.local_fields import LocalFields
from forcebridge.mapping.model import Mapping as FieldMapping
from forcebridge.mapping.model import UpdateOption
from forcebridge.mapping.prospect_fields import PROSPECT_FIELDS
from forcebridge.mapping.report import Problem, ProblemCode
from forcebridge.mapping.verify import ExportRow, PullRow, check_export_rows, check_pull_rows

Record = Mapping[str, Any]
Reader = Callable[[Record], Any]

ABSENT: Any = object()
"""What a reader returns for a source the record does not carry at all."""


class Direction(enum.StrEnum):
    PULL = "pull"
    EXPORT = "export"


class ResolvedValue(NamedTuple):
    """The value a target gets from its hierarchy. A NamedTuple: one is built per target per
    record, and tuples are the cheapest immutable objects Python builds."""

    value: Any
    source: str | None
    """The source that won, or None when every source was empty."""
    level: int
    """The winner's 1-based place in the hierarchy (0 when every source was empty)."""
    update: UpdateOption
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class Resolution:
    values: dict[str, ResolvedValue]
    errors: list[ConversionError]
    """Fields whose value could not be converted; their targets are absent from `values`."""
    warned: list[ResolvedValue] = field(default_factory=list)
    """The values that came with warnings (a text truncated, say): few, so callers look
    through these rather than every value."""

    @property
    def warnings(self) -> list[str]:
        return [warning for resolved in self.warned for warning in resolved.warnings]


@dataclass(frozen=True, slots=True)
class CompiledSource:
    name: str
    read: Reader | None
    """How to read a field through its parents; None for a field of the record itself, read
    with one `dict.get` (the common case, saving a call per source per record)."""
    convert: FieldConverter
    level: int
    update: UpdateOption
    as_is_up_to: int = 0
    """`convert.text_as_is_up_to`, read once: text into text is most of what a pull reads."""


@dataclass(frozen=True, slots=True)
class CompiledTarget:
    name: str
    sources: tuple[CompiledSource, ...]
    when_empty: ResolvedValue | None
    """What the target gets when every source is empty: a clearing value, or nothing."""


@dataclass(frozen=True)
class CompiledMapping:
    direction: Direction
    targets: tuple[CompiledTarget, ...]
    skipped: tuple[Problem, ...]
    """Problems of the rows left out because they do not verify; a run logs them and goes on."""

    @property
    def source_fields(self) -> tuple[str, ...]:
        """Every source read, once, as the org (pull) or the prospect (export) spells it."""
        return tuple(
            dict.fromkeys(source.name for target in self.targets for source in target.sources)
        )


def compile_pull(
    mapping: FieldMapping,
    catalog: Catalog,
    sobject: str,
    targets: LocalFields,
    tolerate: Collection[ProblemCode] = (),
) -> CompiledMapping:
    """A pull mapping from `sobject` ready to resolve records (REST JSON or Bulk CSV rows);
    rows with problems only of the kinds to `tolerate` compile too (see `check_pull_rows`)."""
    checked = check_pull_rows(mapping, catalog, sobject, targets, tolerate)
    return _compiled(Direction.PULL, mapping, checked)


def compile_export(
    mapping: FieldMapping, describe: ObjectDescribe, sources: LocalFields = PROSPECT_FIELDS
) -> CompiledMapping:
    """An export mapping into `describe`'s object, ready to resolve prospect dicts."""
    checked = check_export_rows(mapping, describe, sources)
    return _compiled(Direction.EXPORT, mapping, checked)


def _compiled(
    direction: Direction, mapping: FieldMapping, checked: Iterable[PullRow | ExportRow | Problem]
) -> CompiledMapping:
    hierarchies: dict[str, list[CompiledSource]] = {}
    skipped = []
    for item in checked:
        if isinstance(item, Problem):
            skipped.append(item)
            continue
        converter = item.converter()
        source = CompiledSource(
            item.source_name,
            read_path(item.source_name) if "." in item.source_name else None,
            converter,
            mapping.level(item.number),
            item.row.update,
            converter.text_as_is_up_to,
        )
        hierarchies.setdefault(item.target_name, []).append(source)
    targets = []
    for name, sources in hierarchies.items():
        first = sources[0].update
        clears = direction is Direction.PULL and first is UpdateOption.OVERWRITE
        when_empty = ResolvedValue(None, None, 0, first) if clears else None
        targets.append(CompiledTarget(name, tuple(sources), when_empty))
    return CompiledMapping(direction, tuple(targets), tuple(skipped))


def read_path(path: str) -> Reader:
    """Reads `path` from a REST record (parents nested: `record["Account"]["Name"]`) or a Bulk
    CSV row (parents flat: `record["Account.Name"]`)."""
    if "." not in path:
        return lambda record: record.get(path, ABSENT)
    first, *rest = path.split(".")

    def read(record: Record) -> Any:
        value = record.get(first, ABSENT)
        if value is ABSENT:
            return record.get(path, ABSENT)
        for part in rest:
            if value is None:
                return None
            value = value.get(part, ABSENT)
        return value

    return read


def is_empty(value: Any) -> bool:
    """None, "" or only whitespace; `False` and `0` are values."""
    return value is None or (isinstance(value, str) and (not value or value.isspace()))


_new_tuple = tuple.__new__
"""Builds a NamedTuple from all its fields, skipping the keyword and default handling of its
constructor: `resolve` builds one for nearly every field of every record read."""


def resolve(compiled: CompiledMapping, record: Record) -> Resolution:
    """Each target's value from the first source in its hierarchy that has one (a blank text
    is none: `isspace` is `not strip()` for every character, without building a string)."""
    values: dict[str, ResolvedValue] = {}
    errors: list[ConversionError] = []
    warned: list[ResolvedValue] = []
    get = record.get
    for target in compiled.targets:
        present = False
        for source in target.sources:
            raw = get(source.name, ABSENT) if source.read is None else source.read(record)
            if raw is ABSENT:
                continue
            present = True
            if raw is None or (raw.__class__ is str and (not raw or raw.isspace())):
                continue
            if raw.__class__ is str and len(raw) <= source.as_is_up_to and "\x00" not in raw:
                values[target.name] = _new_tuple(
                    ResolvedValue, (raw, source.name, source.level, source.update, ())
                )
                break
            try:
                converted = source.convert.present(raw)
            except ConversionError as error:
                errors.append(error)
                break
            resolved = ResolvedValue(
                converted.value, source.name, source.level, source.update, converted.warnings
            )
            values[target.name] = resolved
            if resolved.warnings:
                warned.append(resolved)
            break
        else:
            if present and target.when_empty is not None:
                values[target.name] = target.when_empty
    return Resolution(values, errors, warned)


def plan_update(
    resolved: Mapping[str, ResolvedValue], current: Mapping[str, Any]
) -> dict[str, Any]:
    """The changes the update options allow, `{target: new value}`; `{}` means unchanged.

    `current` holds the target's present values typed as conversion produces them (absent
    keys count as empty), so a create is `plan_update(values, {})`.
    """
    if not current:
        # Nothing to keep or compare: every value is a change (the common case of a create).
        return {target: r.value for target, r in resolved.items() if r.value is not None}
    changes = {}
    for target, resolution in resolved.items():
        old = current.get(target)
        new = resolution.value
        if resolution.update is UpdateOption.FILL_EMPTY and not is_empty(old):
            continue
        if new is None and is_empty(old):
            continue
        if new != old:
            changes[target] = new
    return changes
