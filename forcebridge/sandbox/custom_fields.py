"""A custom field's facts from its Tooling API definition: `FullName` and `Metadata` in.

An admin adds `Region__c` to Contact, changes its type or deletes it, and every API sees the
change at once (`forcebridge.sandbox.tooling` keeps the definitions). This module is the pure
part: reading a definition, spelled as the Metadata API spells a CustomField
(`{"type": "Text", "label": "Region", "length": 40}`), into the field's `FieldSpec`, checked as
Salesforce checks it, each refusal naming the attribute at fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.json_values import request_flag, request_whole, shown
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, PicklistEntry, Schema, merge

METADATA_TYPES = {
    "Text": "string",
    "TextArea": "textarea",
    "LongTextArea": "textarea",
    "Number": "double",
    "Currency": "currency",
    "Percent": "percent",
    "Checkbox": "boolean",
    "Date": "date",
    "DateTime": "datetime",
    "Time": "time",
    "Email": "email",
    "Phone": "phone",
    "Url": "url",
    "Picklist": "picklist",
    "MultiselectPicklist": "multipicklist",
    "Lookup": "reference",
}
"""The Metadata API's field types the sandbox makes, and the describe type each becomes."""

_FIXED_LENGTHS = {
    "TextArea": 255,
    "Email": 80,
    "Phone": 40,
    "Url": 255,
    "Picklist": 255,
    "MultiselectPicklist": 4099,
}
_MAX_TEXT, _MAX_LONG_TEXT, _MAX_PRECISION = 255, 131_072, 18
_DELETE_CONSTRAINTS = ("SetNull", "Restrict", "Cascade")
_CUSTOM_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)__c$")


def _refused(attribute: str, message: str) -> ApiError:
    return ApiError(400, "FIELD_INTEGRITY_EXCEPTION", f"{attribute}: {message}", [attribute])


def split_full_name(schema: Schema, full_name: Any) -> tuple[ObjectSpec, str]:
    """The object and field a `FullName` (`Contact.Region__c`) names."""
    sobject, dot, name = str(full_name or "").partition(".")
    obj = schema.get(sobject) if dot else None
    if obj is None:
        raise _refused(
            "FullName",
            f"{shown(full_name)} must name one of the org's objects and the field, as "
            "Contact.Region__c",
        )
    if obj.view:
        raise _refused("FullName", f"{obj.name} is read-only: it takes no custom fields")
    if not _CUSTOM_NAME.match(name):
        raise _refused(
            "FullName",
            f"{name} is not a custom field name: a letter, then letters, digits and single "
            "underscores, ending in __c",
        )
    return obj, name


def field_spec(schema: Schema, name: str, metadata: Any) -> FieldSpec:
    """The field `metadata` defines under `name` (`Region__c`)."""
    if not isinstance(metadata, Mapping):
        raise _refused("Metadata", "the field's definition must be a JSON object")
    kind = metadata.get("type")
    if kind not in METADATA_TYPES:
        choices = ", ".join(METADATA_TYPES)
        raise _refused("type", f"{shown(kind)} is not a field type the sandbox makes: {choices}")
    label = metadata.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _refused("label", "a field needs a label")
    spec = FieldSpec(
        name=name,
        type=METADATA_TYPES[kind],
        label=label.strip(),
        length=_length(kind, metadata),
        nillable=not request_flag(metadata, "required") and kind != "Checkbox",
        external_id=request_flag(metadata, "externalId"),
        id_lookup=request_flag(metadata, "externalId"),
        unique=request_flag(metadata, "unique"),
        case_sensitive=request_flag(metadata, "caseSensitive"),
        custom=True,
    )
    if kind in ("Number", "Currency", "Percent"):
        precision, scale = _digits(metadata)
        return replace(spec, precision=precision, scale=scale)
    if kind == "Checkbox":
        default = request_flag(metadata, "defaultValue")
        return replace(spec, default_value=default, defaulted_on_create=True)
    if kind in ("Picklist", "MultiselectPicklist"):
        entries, restricted = _picklist(metadata)
        return replace(spec, picklist=entries, restricted_picklist=restricted)
    if kind == "Lookup":
        return _lookup(schema, spec, metadata)
    return spec


def _length(kind: str, metadata: Mapping[str, Any]) -> int:
    if kind in _FIXED_LENGTHS:
        return _FIXED_LENGTHS[kind]
    length = request_whole(metadata, "length")
    if kind == "Text" and (length is None or not 1 <= length <= _MAX_TEXT):
        raise _refused("length", f"a Text field holds 1 to {_MAX_TEXT} characters")
    if kind == "LongTextArea":
        if length is None or not _MAX_TEXT < length <= _MAX_LONG_TEXT:
            raise _refused(
                "length", f"a LongTextArea holds {_MAX_TEXT + 1} to {_MAX_LONG_TEXT:,} characters"
            )
        if request_whole(metadata, "visibleLines") is None:
            raise _refused("visibleLines", "a LongTextArea needs its visible lines")
    return length or 0


def _digits(metadata: Mapping[str, Any]) -> tuple[int, int]:
    precision = request_whole(metadata, "precision")
    scale = request_whole(metadata, "scale") or 0
    if precision is None or not 1 <= precision <= _MAX_PRECISION:
        raise _refused("precision", f"a number has 1 to {_MAX_PRECISION} digits in all")
    if not 0 <= scale <= precision:
        raise _refused("scale", f"the decimal places must be 0 to the precision, {precision}")
    return precision, scale


def _picklist(metadata: Mapping[str, Any]) -> tuple[tuple[PicklistEntry, ...], bool]:
    """The values of `valueSet.valueSetDefinition.value` and `valueSet.restricted`."""
    value_set = metadata.get("valueSet")
    definition = value_set.get("valueSetDefinition") if isinstance(value_set, Mapping) else None
    values = definition.get("value") if isinstance(definition, Mapping) else None
    if not isinstance(values, list) or not values:
        raise _refused("valueSet", "a picklist needs valueSet.valueSetDefinition.value")
    entries = []
    for value in values:
        name = value.get("fullName") if isinstance(value, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            raise _refused("valueSet", "each picklist value needs its fullName")
        label = value.get("label") or name
        entries.append(PicklistEntry(name, str(label), default=request_flag(value, "default")))
    return tuple(entries), isinstance(value_set, Mapping) and request_flag(value_set, "restricted")


def _lookup(schema: Schema, spec: FieldSpec, metadata: Mapping[str, Any]) -> FieldSpec:
    """A lookup's own relationship is its name with `__r` (`Region__r`); `relationshipName`
    names its parent's children (`Regions` -> `Regions__r`). `deleteConstraint` says what
    deleting the parent does to them: `SetNull` (clear the lookup, the default), `Restrict`
    (refuse the delete: the default, and `SetNull` refused, for a required lookup, which
    cannot be cleared) or `Cascade` (delete them too)."""
    parent = schema.get(str(metadata.get("referenceTo") or ""))
    if parent is None or parent.view:
        raise _refused("referenceTo", f"{shown(metadata.get('referenceTo'))} is not an object")
    children = metadata.get("relationshipName")
    if not isinstance(children, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", children):
        raise _refused("relationshipName", "a lookup needs the name of its parent's children")
    constraint = metadata.get("deleteConstraint") or ("SetNull" if spec.nillable else "Restrict")
    if constraint not in _DELETE_CONSTRAINTS:
        choices = ", ".join(_DELETE_CONSTRAINTS)
        raise _refused("deleteConstraint", f"{shown(constraint)} is none of {choices}")
    if constraint == "SetNull" and not spec.nillable:
        raise _refused("deleteConstraint", "a required lookup cannot be cleared: use Restrict")
    return replace(
        spec,
        length=18,
        reference_to=(parent.name,),
        relationship_name=f"{spec.name.removesuffix('__c')}__r",
        child_relationship_name=f"{children}__r",
        child_cascade_delete=constraint == "Cascade",
        child_restricted_delete=constraint == "Restrict",
    )


def with_fields(schema: Schema, fields: Iterable[tuple[str, FieldSpec]]) -> Schema:
    """`schema` with each `(object, field)` added to its object, after its own fields; one
    named like a field the object has (from a schema folder added later) replaces it."""
    added: dict[str, list[FieldSpec]] = {}
    for sobject, spec in fields:
        added.setdefault(sobject.lower(), []).append(spec)
    if not added:
        return schema
    objects = tuple(
        merge(obj, replace(obj, fields=tuple(added[obj.name.lower()])))
        if obj.name.lower() in added
        else obj
        for obj in schema.objects
    )
    return Schema(objects)
