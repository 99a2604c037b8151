"""Fields on the product's side of a mapping: a contact's (pull targets) or a prospect's
(export sources), each with the type conversion and verification work with.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field


class Family(enum.StrEnum):
    """What kind of value a field holds, whatever its exact type on either side."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"


class LocalType(enum.StrEnum):
    """A product field's type. Custom contact field types are a subset (same values)."""

    TEXT = "text"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    CHOICE = "choice"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"

    @property
    def family(self) -> Family:
        return _FAMILIES.get(self, Family.TEXT)


_FAMILIES = {
    LocalType.NUMBER: Family.NUMBER,
    LocalType.BOOLEAN: Family.BOOLEAN,
    LocalType.DATE: Family.DATE,
    LocalType.DATETIME: Family.DATETIME,
    LocalType.TIME: Family.TIME,
}


@dataclass(frozen=True, slots=True)
class LocalField:
    name: str
    type: LocalType
    label: str
    max_length: int | None = None
    """Longer text is truncated on the way in, with a warning."""
    choices: tuple[str, ...] | None = None
    """The values the field can hold, when it is a closed set (a choice field)."""
    custom: bool = False
    """A service's own contact field, kept in `Contact.custom` by name."""


@dataclass(frozen=True)
class LocalFields:
    """One side's fields, looked up by exact name."""

    fields: tuple[LocalField, ...]
    _by_name: dict[str, LocalField] = field(init=False, repr=False, compare=False)
    custom_names: frozenset[str] = field(init=False, repr=False, compare=False)
    """The names of the custom fields: asked for every value a pull writes."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})
        object.__setattr__(self, "custom_names", frozenset(f.name for f in self.fields if f.custom))

    def get(self, name: str) -> LocalField | None:
        return self._by_name.get(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def __iter__(self) -> Iterator[LocalField]:
        return iter(self.fields)
