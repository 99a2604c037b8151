"""A typed view of describe payloads: the facts mapping, conversion and verification read.

Salesforce names are case-insensitive (`email` is `Email`), so lookups are too; what comes back
carries the org's own spelling, which is how records key their values. A `Catalog` holds the
describes of one org, so that a parent path such as `Account.Name` can be followed from Contact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from forcebridge.mapping.errors import DescribeError, UnknownField

COMPOUND_TYPES = frozenset({"address", "location"})
"""Types whose whole is assembled from its parts: empty on its own, never written."""


@dataclass(frozen=True, slots=True)
class SalesforceField:
    name: str
    label: str
    type: str
    length: int = 0
    precision: int = 0
    scale: int = 0
    digits: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    defaulted_on_create: bool = False
    picklist_values: tuple[str, ...] = ()
    """Active values only: inactive ones cannot be written."""
    restricted_picklist: bool = False
    compound_field_name: str | None = None
    calculated: bool = False
    """A formula or roll-up summary; `type` is its result type."""
    formula: str | None = None
    auto_number: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    hidden: bool = False
    """Describe's `deprecatedAndHidden`: present in the payload but not readable."""

    @property
    def display_name(self) -> str:
        """How admin pages show a field: "Business Phone (Phone)"."""
        return f"{self.label} ({self.name})"

    @property
    def compound(self) -> bool:
        return self.type in COMPOUND_TYPES

    @property
    def required(self) -> bool:
        """Must be given on create (Salesforce's REQUIRED_FIELD_MISSING rule)."""
        return not self.nillable and self.createable and not self.defaulted_on_create

    @property
    def roll_up(self) -> bool:
        return self.calculated and self.formula is None


@dataclass(frozen=True)
class ObjectDescribe:
    name: str
    label: str
    fields: tuple[SalesforceField, ...]
    _by_name: dict[str, SalesforceField] = field(init=False, repr=False, compare=False)
    _by_relationship: dict[str, SalesforceField] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {f.name.lower(): f for f in self.fields}
        by_relationship = {
            f.relationship_name.lower(): f for f in self.fields if f.relationship_name
        }
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_relationship", by_relationship)

    def field(self, name: str) -> SalesforceField | None:
        return self._by_name.get(name.lower())

    def relationship(self, name: str) -> SalesforceField | None:
        """The lookup field behind a relationship name (`Account` is `AccountId`)."""
        return self._by_relationship.get(name.lower())

    def parts(self, compound: str) -> tuple[SalesforceField, ...]:
        """The fields making up a compound field, in describe order."""
        key = compound.lower()
        return tuple(
            f for f in self.fields if f.compound_field_name and f.compound_field_name.lower() == key
        )

    def offered(self) -> tuple[SalesforceField, ...]:
        """What an admin may pick from: compound fields appear as their parts, never whole."""
        return tuple(f for f in self.fields if not f.compound and not f.hidden)

    def required(self) -> tuple[SalesforceField, ...]:
        return tuple(f for f in self.fields if f.required)


def parse_describe(payload: Mapping[str, Any]) -> ObjectDescribe:
    """The view of an `sobjects/{name}/describe` payload."""
    try:
        return ObjectDescribe(
            name=payload["name"],
            label=payload.get("label") or payload["name"],
            fields=tuple(_field(item) for item in payload["fields"]),
        )
    except (KeyError, TypeError) as exc:
        name = payload.get("name", "an object")
        raise DescribeError(f"describe of {name} is not a describe result: missing {exc}") from None


def _field(item: Mapping[str, Any]) -> SalesforceField:
    return SalesforceField(
        name=item["name"],
        label=item.get("label") or item["name"],
        type=item["type"],
        length=item.get("length") or 0,
        precision=item.get("precision") or 0,
        scale=item.get("scale") or 0,
        digits=item.get("digits") or 0,
        nillable=item.get("nillable", True),
        createable=item.get("createable", False),
        updateable=item.get("updateable", False),
        defaulted_on_create=item.get("defaultedOnCreate", False),
        picklist_values=tuple(
            entry["value"] for entry in item.get("picklistValues") or () if entry.get("active")
        ),
        restricted_picklist=item.get("restrictedPicklist", False),
        compound_field_name=item.get("compoundFieldName"),
        calculated=item.get("calculated", False),
        formula=item.get("calculatedFormula"),
        auto_number=item.get("autoNumber", False),
        reference_to=tuple(item.get("referenceTo") or ()),
        relationship_name=item.get("relationshipName"),
        hidden=item.get("deprecatedAndHidden", False),
    )


@dataclass(frozen=True)
class Catalog:
    """The describes known for one org, by object name (case-insensitively)."""

    objects: tuple[ObjectDescribe, ...] = ()
    _by_name: dict[str, ObjectDescribe] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {o.name.lower(): o for o in self.objects})

    @classmethod
    def of(cls, *describes: ObjectDescribe | Mapping[str, Any]) -> Catalog:
        """A catalog from views or raw payloads."""
        return cls(
            tuple(d if isinstance(d, ObjectDescribe) else parse_describe(d) for d in describes)
        )

    def get(self, name: str) -> ObjectDescribe | None:
        return self._by_name.get(name.lower())

    def resolve(self, sobject: str, path: str) -> tuple[str, SalesforceField]:
        """The field `path` names from `sobject`, and the path in the org's spelling.

        `Account.Name` from Contact follows the `Account` relationship to Account's `Name`.
        Raises `UnknownField` saying which step fails.
        """
        owner, prefix, last = self._walk(sobject, path)
        found = owner.field(last)
        if found is None:
            raise UnknownField(f"{owner.name} has no field {last!r}")
        return prefix + found.name, found

    def label(self, sobject: str, path: str) -> str:
        """`path` as admins see it, "Business Phone (Phone)", a parent's field with its path,
        "Account Name (Account.Name)"; as it is spelled when it names no known field."""
        try:
            spelled, found = self.resolve(sobject, path)
        except UnknownField:
            return path
        return f"{found.label} ({spelled})"

    def parts(self, sobject: str, path: str) -> tuple[str, ...]:
        """The paths of a compound field's parts: `MailingAddress` gives `MailingStreet`, ..."""
        owner, prefix, last = self._walk(sobject, path)
        return tuple(prefix + part.name for part in owner.parts(last))

    def _walk(self, sobject: str, path: str) -> tuple[ObjectDescribe, str, str]:
        """The object owning the last step of `path`, the spelled steps before it (with a
        trailing dot), and the last step as written."""
        describe = self.get(sobject)
        if describe is None:
            raise UnknownField(f"the describe of {sobject} is not available")
        *relationships, last = path.split(".")
        prefix = ""
        for relationship in relationships:
            lookup = describe.relationship(relationship)
            if lookup is None:
                raise UnknownField(f"{describe.name} has no relationship {relationship!r}")
            parent = self._first_known(lookup.reference_to)
            if parent is None:
                targets = " or ".join(lookup.reference_to) or "nothing"
                raise UnknownField(
                    f"{describe.name}.{lookup.relationship_name} points to {targets}, "
                    "whose describe is not available"
                )
            prefix += f"{lookup.relationship_name or relationship}."
            describe = parent
        return describe, prefix, last

    def missing(self, sobject: str, paths: Iterable[str]) -> frozenset[str]:
        """Objects whose describes `paths` still need, one relationship deeper than known.

        A caller fetches these and asks again until nothing is missing, then verifies.
        """
        root = self.get(sobject)
        if root is None:
            return frozenset({sobject})
        wanted: set[str] = set()
        for path in paths:
            describe = root
            for relationship in path.split(".")[:-1]:
                lookup = describe.relationship(relationship)
                if lookup is None:
                    break
                parent = self._first_known(lookup.reference_to)
                if parent is None:
                    wanted.update(lookup.reference_to)
                    break
                describe = parent
        return frozenset(wanted)

    def _first_known(self, names: Iterable[str]) -> ObjectDescribe | None:
        """The first of a lookup's target objects with a describe (polymorphic lookups such
        as Owner point to several)."""
        return next(filter(None, map(self.get, names)), None)
