"""The org's objects and fields, loaded from compact specs and from describe payloads.

Built-in objects live in `schema/*.json` next to this module: one file per object holding only
the facts of each field (describe keys, and only where they differ from what the type implies;
`describe.py` renders everything else). A customer's org is mirrored by pointing
`extra_schema_dir` at full describe payloads: they add objects, or add and replace fields of a
built-in object. Both formats go through the same reader, which keeps any describe key it does
not model in `extra` so that rendering reproduces the payload.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from forcebridge.sandbox.fieldtypes import TYPES, FieldType, Kind
from forcebridge.sandbox.ids import BASE62

BUILTIN_DIR = Path(__file__).with_name("schema")
DEFAULT_URLS = (
    "compactLayouts",
    "rowTemplate",
    "approvalLayouts",
    "uiDetailTemplate",
    "uiEditTemplate",
    "listviews",
    "describe",
    "uiNewRecord",
    "quickActions",
    "layouts",
    "sobject",
)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class SchemaError(ValueError):
    """A schema file the sandbox cannot use; the message names the file and the field."""


@dataclass(frozen=True)
class PicklistEntry:
    value: str
    label: str
    active: bool = True
    default: bool = False
    valid_for: str | None = None


@dataclass(frozen=True)
class FieldSpec:
    """One field's facts. Attributes mirror describe keys (snake_case)."""

    name: str
    type: str
    label: str
    length: int = 0
    precision: int = 0
    scale: int = 0
    digits: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    defaulted_on_create: bool = False
    default_value: Any = None
    picklist: tuple[PicklistEntry, ...] = ()
    restricted_picklist: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    child_relationship_name: str | None = None
    """The name the parent's describe gives this lookup's children (`Contacts`); ours, not a
    describe key of the field itself."""
    child_cascade_delete: bool = False
    """Deleting the parent deletes the children through this lookup too (its describe's
    `childRelationships[].cascadeDelete`); ours, as `child_relationship_name` is."""
    child_restricted_delete: bool = False
    """A parent with live children through this lookup cannot be deleted
    (`childRelationships[].restrictedDelete`); ours, as `child_relationship_name` is."""
    compound_field_name: str | None = None
    external_id: bool = False
    unique: bool = False
    case_sensitive: bool = False
    calculated: bool = False
    auto_number: bool = False
    name_field: bool = False
    id_lookup: bool = False
    html_formatted: bool = False
    custom: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Describe keys whose values differ from what `describe.py` derives."""

    @property
    def field_type(self) -> FieldType:
        return TYPES[self.type]

    @property
    def kind(self) -> Kind:
        return TYPES[self.type].kind

    @property
    def stored(self) -> bool:
        return TYPES[self.type].sql_type is not None

    @property
    def required(self) -> bool:
        """Must be given on create: Salesforce's REQUIRED_FIELD_MISSING rule."""
        return not self.nillable and self.createable and not self.defaulted_on_create

    @property
    def polymorphic(self) -> bool:
        return len(self.reference_to) > 1

    @property
    def picklist_default(self) -> str | None:
        return next((entry.value for entry in self.picklist if entry.default), None)


@dataclass(frozen=True)
class ObjectSpec:
    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: tuple[FieldSpec, ...]
    custom: bool = False
    urls: tuple[str, ...] = DEFAULT_URLS
    view: bool = False
    """Read-only, its records those of other objects (ActivityHistory shows Tasks and Events):
    a view over their tables (`activities`), never a table of its own; ours, not a describe
    key."""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Object-level describe keys whose values differ from the defaults `describe.py` uses."""
    _by_name: dict[str, FieldSpec] = field(init=False, compare=False, repr=False)
    _by_relationship: dict[str, FieldSpec] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name.lower(): f for f in self.fields})
        object.__setattr__(
            self,
            "_by_relationship",
            {f.relationship_name.lower(): f for f in self.fields if f.relationship_name},
        )

    def field(self, name: str) -> FieldSpec | None:
        """The field called `name`, ignoring case as Salesforce does."""
        return self._by_name.get(name.lower())

    def relationship(self, name: str) -> FieldSpec | None:
        """The lookup field whose relationship is called `name` (`Account` -> AccountId)."""
        return self._by_relationship.get(name.lower())

    def parts(self, compound: FieldSpec) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.compound_field_name == compound.name)

    @property
    def stored_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.stored)

    def allows(self, operation: str) -> bool:
        """Object-level permission such as `createable`, `deletable`, `queryable`."""
        return bool(self.extra.get(operation, True))


@dataclass(frozen=True)
class Schema:
    objects: tuple[ObjectSpec, ...]
    _by_name: dict[str, ObjectSpec] = field(init=False, compare=False, repr=False)
    _by_prefix: dict[str, ObjectSpec] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {o.name.lower(): o for o in self.objects})
        object.__setattr__(
            self, "_by_prefix", {o.key_prefix: o for o in self.objects if o.key_prefix}
        )

    def get(self, name: str) -> ObjectSpec | None:
        return self._by_name.get(name.lower())

    def by_prefix(self, key_prefix: str) -> ObjectSpec | None:
        return self._by_prefix.get(key_prefix)

    def child_relationship(self, parent: str, name: str) -> tuple[ObjectSpec, FieldSpec] | None:
        """The child object and its lookup field that `parent`'s relationship `name` reaches
        (`Contacts` on Account: Contact and its AccountId), ignoring letter case."""
        wanted = name.lower()
        for child, lookup in self.children(parent):
            if (lookup.child_relationship_name or "").lower() == wanted:
                return child, lookup
        return None

    def children(self, parent: str) -> list[tuple[ObjectSpec, FieldSpec]]:
        """Every lookup field, on any object, that can point at `parent`, but one whose
        children's name an earlier lookup gives `parent` already: a parent names each of its
        child relationships once (an Account's `ActivityHistories` are those of their
        `AccountId`, not also of their `WhatId`)."""
        named: set[str] = set()
        found = []
        for obj in self.objects:
            for f in obj.fields:
                if f.kind is not Kind.ID or parent not in f.reference_to:
                    continue
                name = (f.child_relationship_name or "").lower()
                if name in named:
                    continue
                if name:
                    named.add(name)
                found.append((obj, f))
        return found


# --- reading specs and payloads ----------------------------------------------------------

#: describe key -> FieldSpec attribute, for the keys the engine models.
FIELD_KEYS = {
    "name": "name",
    "type": "type",
    "label": "label",
    "length": "length",
    "precision": "precision",
    "scale": "scale",
    "digits": "digits",
    "nillable": "nillable",
    "createable": "createable",
    "updateable": "updateable",
    "defaultedOnCreate": "defaulted_on_create",
    "defaultValue": "default_value",
    "restrictedPicklist": "restricted_picklist",
    "relationshipName": "relationship_name",
    "childRelationshipName": "child_relationship_name",
    "childCascadeDelete": "child_cascade_delete",
    "childRestrictedDelete": "child_restricted_delete",
    "compoundFieldName": "compound_field_name",
    "externalId": "external_id",
    "unique": "unique",
    "caseSensitive": "case_sensitive",
    "calculated": "calculated",
    "autoNumber": "auto_number",
    "nameField": "name_field",
    "idLookup": "id_lookup",
    "htmlFormatted": "html_formatted",
    "custom": "custom",
}
_OBJECT_KEYS = {"name", "label", "labelPlural", "keyPrefix", "custom", "fields", "urls", "view"}
#: Payload keys the sandbox derives itself rather than copying from a recorded org.
_DERIVED_OBJECT_KEYS = {"childRelationships", "recordTypeInfos"}


def field_from_json(data: Mapping[str, Any], where: str) -> FieldSpec:
    """A field from a compact spec entry or a describe payload's `fields` entry."""
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise SchemaError(f"{where}: a field needs a valid 'name', got {name!r}")
    if data.get("type") not in TYPES:
        raise SchemaError(f"{where}: field {name} has unsupported type {data.get('type')!r}")
    values: dict[str, Any] = {attr: data[key] for key, attr in FIELD_KEYS.items() if key in data}
    values.setdefault("label", name)
    values["picklist"] = tuple(_picklist_entry(e) for e in data.get("picklistValues") or ())
    values["reference_to"] = tuple(data.get("referenceTo") or ())
    extra = {
        k: v
        for k, v in data.items()
        if k not in FIELD_KEYS and k not in ("picklistValues", "referenceTo")
    }
    return FieldSpec(**values, extra=MappingProxyType(extra))


def _picklist_entry(data: str | Mapping[str, Any]) -> PicklistEntry:
    if isinstance(data, str):
        return PicklistEntry(data, data)
    return PicklistEntry(
        value=data["value"],
        label=data.get("label") or data["value"],
        active=data.get("active", True),
        default=data.get("defaultValue", False),
        valid_for=data.get("validFor"),
    )


def object_from_json(data: Mapping[str, Any], where: str) -> ObjectSpec:
    """An object from a compact spec file or a full describe payload."""
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise SchemaError(f"{where}: the object needs a valid 'name', got {name!r}")
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list):
        raise SchemaError(f"{where}: 'fields' must be a list")
    fields = tuple(field_from_json(f, f"{where} ({name})") for f in raw_fields)
    urls = data.get("urls")
    extra = {
        k: v for k, v in data.items() if k not in _OBJECT_KEYS and k not in _DERIVED_OBJECT_KEYS
    }
    return ObjectSpec(
        name=name,
        label=data.get("label") or name,
        label_plural=data.get("labelPlural") or data.get("label") or name,
        key_prefix=data.get("keyPrefix") or "",
        fields=fields,
        custom=bool(data.get("custom", name.endswith("__c"))),
        urls=tuple(urls) if urls else DEFAULT_URLS,
        view=bool(data.get("view", False)),
        extra=MappingProxyType(extra),
    )


# --- assembling the org's schema -------------------------------------------------------------


def load_schema(extra_schema_dir: Path | None = None) -> Schema:
    """The built-in objects, plus and merged with whatever `extra_schema_dir` describes."""
    objects = {o.name: o for o in _read_dir(BUILTIN_DIR)}
    if extra_schema_dir is not None:
        if not extra_schema_dir.is_dir():
            raise SchemaError(f"{extra_schema_dir}: no such schema folder")
        for addition in _read_dir(extra_schema_dir):
            base = objects.get(addition.name)
            objects[addition.name] = merge(base, addition) if base else with_system_fields(addition)
    return Schema(tuple(_assign_key_prefixes(list(objects.values()))))


def _read_dir(folder: Path) -> Iterable[ObjectSpec]:
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise SchemaError(f"{path}: cannot read it as JSON ({error})") from error
        if not isinstance(data, dict):
            raise SchemaError(f"{path}: expected a JSON object")
        yield object_from_json(data, str(path))


def merge(base: ObjectSpec, addition: ObjectSpec) -> ObjectSpec:
    """`base` with the fields of `addition` replacing same-named ones and appended after."""
    replaced = {f.name.lower(): f for f in addition.fields}
    fields = [replaced.pop(f.name.lower(), f) for f in base.fields]
    fields.extend(f for f in addition.fields if f.name.lower() in replaced)
    return replace(base, fields=tuple(fields))


#: Fields every stored object needs; a payload that lacks them (a custom setting, a trimmed
#: file) gets Salesforce's standard definitions.
_SYSTEM_FIELDS = (
    FieldSpec("Id", "id", "Record ID", length=18, nillable=False, createable=False,
              updateable=False, defaulted_on_create=True, id_lookup=True),
    FieldSpec("IsDeleted", "boolean", "Deleted", nillable=False, createable=False,
              updateable=False, defaulted_on_create=True, default_value=False),
    FieldSpec("CreatedDate", "datetime", "Created Date", nillable=False, createable=False,
              updateable=False, defaulted_on_create=True),
    FieldSpec("CreatedById", "reference", "Created By ID", length=18, nillable=False,
              createable=False, updateable=False, defaulted_on_create=True,
              reference_to=("User",), relationship_name="CreatedBy"),
    FieldSpec("LastModifiedDate", "datetime", "Last Modified Date", nillable=False,
              createable=False, updateable=False, defaulted_on_create=True),
    FieldSpec("LastModifiedById", "reference", "Last Modified By ID", length=18,
              nillable=False, createable=False, updateable=False, defaulted_on_create=True,
              reference_to=("User",), relationship_name="LastModifiedBy"),
    FieldSpec("SystemModstamp", "datetime", "System Modstamp", nillable=False,
              createable=False, updateable=False, defaulted_on_create=True),
)  # fmt: skip


def with_system_fields(obj: ObjectSpec) -> ObjectSpec:
    """`obj` with any missing system field added (Id first, the audit fields last)."""
    missing = [f for f in _SYSTEM_FIELDS if obj.field(f.name) is None]
    if not missing:
        return obj
    head = [f for f in missing if f.name == "Id"]
    tail = [f for f in missing if f.name != "Id"]
    return replace(obj, fields=(*head, *obj.fields, *tail))


def _assign_key_prefixes(objects: list[ObjectSpec]) -> list[ObjectSpec]:
    """Give every object without a key prefix a stable custom-object one (`a` + 2 base-62);
    a view has none, its records being other objects'.

    The prefix comes from a hash of the name, so it does not move when other objects are added.
    """
    taken = {o.key_prefix for o in objects if o.key_prefix}
    result = []
    for obj in objects:
        if not obj.key_prefix and not obj.view:
            digest = int.from_bytes(hashlib.sha256(obj.name.encode()).digest()[:4], "big")
            while True:
                prefix = "a" + BASE62[digest % 62] + BASE62[(digest // 62) % 62]
                if prefix not in taken:
                    break
                digest += 1
            taken.add(prefix)
            obj = replace(obj, key_prefix=prefix)
        result.append(obj)
    return result
