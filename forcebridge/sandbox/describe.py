"""Describe payloads rendered from the schema, with every key a real org's payload carries.

Specs hold facts; the many describe keys that follow from a field's type (soapType,
byteLength, filterable, sortable, groupable, ...) are derived here, and a spec's `extra`
overrides a derived value where the real org differs. Clients therefore see the same shapes
they get from Salesforce, down to the URL templates for the API version they called.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from forcebridge.sandbox.cascade import Rule, rule
from forcebridge.sandbox.fieldtypes import Kind
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, Schema

MASTER_RECORD_TYPE_ID = "012000000000000AAA"
UNLISTED_CHILD_FIELDS = frozenset({"MasterRecordId"})
"""Lookups a parent's `childRelationships` never list: a merged-away record's pointer at the
record it was merged into, which real Account, Contact and Lead describes leave out."""

#: Object-level describe values for an ordinary standard object.
OBJECT_DEFAULTS: dict[str, Any] = {
    "actionOverrides": [],
    "activateable": False,
    "associateEntityType": None,
    "associateParentEntity": None,
    "compactLayoutable": True,
    "createable": True,
    "customSetting": False,
    "deepCloneable": False,
    "defaultImplementation": None,
    "deletable": True,
    "deprecatedAndHidden": False,
    "extendedBy": None,
    "extendsInterfaces": None,
    "feedEnabled": True,
    "hasSubtypes": False,
    "implementedBy": None,
    "implementsInterfaces": None,
    "isInterface": False,
    "isSubtype": False,
    "layoutable": True,
    "listviewable": None,
    "lookupLayoutable": None,
    "mergeable": False,
    "mruEnabled": True,
    "namedLayoutInfos": [],
    "networkScopeFieldName": None,
    "queryable": True,
    "replicateable": True,
    "retrieveable": True,
    "searchLayoutable": True,
    "searchable": True,
    "sobjectDescribeOption": "FULL",
    "supportedScopes": [],
    "triggerable": True,
    "undeletable": True,
    "updateable": True,
}

#: The keys of a describeGlobal entry (a subset of the object's describe).
GLOBAL_KEYS = (
    "activateable",
    "associateEntityType",
    "associateParentEntity",
    "createable",
    "custom",
    "customSetting",
    "deepCloneable",
    "deletable",
    "deprecatedAndHidden",
    "feedEnabled",
    "hasSubtypes",
    "isInterface",
    "isSubtype",
    "keyPrefix",
    "label",
    "labelPlural",
    "layoutable",
    "mergeable",
    "mruEnabled",
    "name",
    "queryable",
    "replicateable",
    "retrieveable",
    "searchable",
    "triggerable",
    "undeletable",
    "updateable",
    "urls",
)
#: URLs that point at the UI or at per-call options; describeGlobal leaves them out.
_DESCRIBE_ONLY_URLS = frozenset(
    {"uiDetailTemplate", "uiEditTemplate", "uiNewRecord", "defaultValues", "eventSeriesUpdates"}
)
_URL_PATHS = {
    "compactLayouts": "/describe/compactLayouts",
    "rowTemplate": "/{ID}",
    "approvalLayouts": "/describe/approvalLayouts",
    "defaultValues": "/defaultValues?recordTypeId&fields",
    "listviews": "/listviews",
    "describe": "/describe",
    "quickActions": "/quickActions",
    "layouts": "/describe/layouts",
    "namedLayouts": "/describe/namedLayouts/{LayoutName}",
    "passwordUtilities": "/{ID}/password",
    "eventSeriesUpdates": "/{ID}/fromThisEventOnwards",
    "sobject": "",
}


def describe_global(schema: Schema, api_version: str) -> dict[str, Any]:
    sobjects = []
    for obj in schema.objects:
        full = _object_header(obj, api_version, instance_url="")
        entry = {key: full[key] for key in GLOBAL_KEYS}
        entry["urls"] = {k: v for k, v in full["urls"].items() if k not in _DESCRIBE_ONLY_URLS}
        sobjects.append(entry)
    return {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects}


def describe_object(
    schema: Schema, obj: ObjectSpec, api_version: str, instance_url: str = ""
) -> dict[str, Any]:
    """The `sobjects/{name}/describe` payload, keys in Salesforce's (alphabetical) order."""
    payload = _object_header(obj, api_version, instance_url)
    payload["fields"] = [describe_field(f) for f in obj.fields]
    payload["childRelationships"] = [
        {
            "cascadeDelete": rule(lookup) is Rule.CASCADE,
            "childSObject": child.name,
            "deprecatedAndHidden": False,
            "field": lookup.name,
            "junctionIdListNames": [],
            "junctionReferenceTo": [],
            "relationshipName": lookup.child_relationship_name,
            "restrictedDelete": rule(lookup) is Rule.RESTRICT,
        }
        for child, lookup in schema.children(obj.name)
        if lookup.name not in UNLISTED_CHILD_FIELDS
    ]
    payload["recordTypeInfos"] = (
        []
        if payload["customSetting"]
        else [
            {
                "active": True,
                "available": True,
                "defaultRecordTypeMapping": True,
                "developerName": "Master",
                "master": True,
                "name": "Master",
                "recordTypeId": MASTER_RECORD_TYPE_ID,
                "urls": {
                    "layout": f"{_sobject_path(obj, api_version)}/describe/layouts/"
                    f"{MASTER_RECORD_TYPE_ID}"
                },
            }
        ]
    )
    return dict(sorted(payload.items()))


def _object_header(obj: ObjectSpec, api_version: str, instance_url: str) -> dict[str, Any]:
    payload = dict(OBJECT_DEFAULTS)
    payload.update(obj.extra)
    payload.update(
        name=obj.name,
        label=obj.label,
        labelPlural=obj.label_plural,
        keyPrefix=obj.key_prefix or None,
        custom=obj.custom,
        urls=_urls(obj, api_version, instance_url),
    )
    return payload


def _sobject_path(obj: ObjectSpec, api_version: str) -> str:
    return f"/services/data/v{api_version}/sobjects/{obj.name}"


def _urls(obj: ObjectSpec, api_version: str, instance_url: str) -> dict[str, str]:
    base = _sobject_path(obj, api_version)
    ui = {
        "uiDetailTemplate": f"{instance_url}/{{ID}}",
        "uiEditTemplate": f"{instance_url}/{{ID}}/e",
        "uiNewRecord": f"{instance_url}/{obj.key_prefix}/e",
    }
    return {key: ui[key] if key in ui else base + _URL_PATHS[key] for key in obj.urls}


@dataclass(frozen=True)
class Capabilities:
    """What SOQL may do with a field; the query engine enforces the same flags describe shows."""

    filterable: bool
    sortable: bool
    groupable: bool
    aggregatable: bool


def capabilities(f: FieldSpec) -> Capabilities:
    kind = f.kind
    long_text = f.type == "textarea" and f.length > 255
    compound = kind is Kind.COMPOUND
    unsortable = compound or long_text or kind is Kind.MULTIPICKLIST
    derived = Capabilities(
        filterable=not long_text,
        sortable=not unsortable,
        groupable=not (
            unsortable or f.type in ("datetime", "double", "currency", "percent", "combobox")
        ),
        aggregatable=not (compound or long_text or kind in (Kind.BOOLEAN, Kind.MULTIPICKLIST)),
    )
    overrides = {
        k: f.extra[k]
        for k in ("filterable", "sortable", "groupable", "aggregatable")
        if k in f.extra
    }
    return replace(derived, **overrides) if overrides else derived


def describe_field(f: FieldSpec) -> dict[str, Any]:
    """A field's describe entry: its facts, what its type implies, then its overrides."""
    can = capabilities(f)
    kind = f.kind
    text_like = kind in (Kind.TEXT, Kind.MULTIPICKLIST)
    payload: dict[str, Any] = {
        "aggregatable": can.aggregatable,
        "aiPredictionField": False,
        "autoNumber": f.auto_number,
        "byteLength": f.length * 3 if text_like else 18 if kind is Kind.ID else 0,
        "calculated": f.calculated,
        "calculatedFormula": None,
        "cascadeDelete": False,
        "caseSensitive": f.case_sensitive,
        "compoundFieldName": f.compound_field_name,
        "controllerName": None,
        "createable": f.createable,
        "custom": f.custom,
        "defaultValue": f.default_value,
        "defaultValueFormula": None,
        "defaultedOnCreate": f.defaulted_on_create,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": f.digits,
        "displayLocationInDecimal": False,
        "encrypted": False,
        "externalId": f.external_id,
        "extraTypeInfo": "plaintextarea" if f.type == "textarea" and not f.html_formatted else None,
        "filterable": can.filterable,
        "filteredLookupInfo": None,
        "formulaTreatNullNumberAsZero": False,
        "groupable": can.groupable,
        "highScaleNumber": False,
        "htmlFormatted": f.html_formatted,
        "idLookup": f.id_lookup,
        "inlineHelpText": None,
        "label": f.label,
        "length": f.length,
        "mask": None,
        "maskType": None,
        "name": f.name,
        "nameField": f.name_field,
        "namePointing": f.polymorphic,
        "nillable": f.nillable,
        "permissionable": f.nillable and f.createable and f.updateable,
        "picklistValues": [
            {
                "active": entry.active,
                "defaultValue": entry.default,
                "label": entry.label,
                "validFor": entry.valid_for,
                "value": entry.value,
            }
            for entry in f.picklist
        ],
        "polymorphicForeignKey": f.polymorphic,
        "precision": f.precision,
        "queryByDistance": kind is Kind.COMPOUND,
        "referenceTargetField": None,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "relationshipOrder": None,
        "restrictedDelete": False,
        "restrictedPicklist": f.restricted_picklist,
        "scale": f.scale,
        "searchPrefilterable": False,
        "soapType": f.field_type.soap_type,
        "sortable": can.sortable,
        "type": f.type,
        "unique": f.unique,
        "updateable": f.updateable,
        "writeRequiresMasterRead": False,
    }
    payload.update(f.extra)
    return payload
