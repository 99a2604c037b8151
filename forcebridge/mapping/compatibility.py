"""Which Salesforce field types forcebridge converts, and which may feed which.

Types are compared by family (text, number, boolean, date, datetime, time): a number can land
in a number or a text field, a date in a date, datetime or text field, and so on. Formula,
roll-up summary and auto number fields carry their result type in describe, so they need no
rule of their own.
"""

from __future__ import annotations

from forcebridge.mapping.describe import SalesforceField
from forcebridge.mapping.local_fields import Family, LocalField, LocalType

_T, _N, _B = Family.TEXT, Family.NUMBER, Family.BOOLEAN
_D, _DT, _TM = Family.DATE, Family.DATETIME, Family.TIME

SALESFORCE_FAMILIES: dict[str, Family] = {
    **dict.fromkeys(
        (
            "string",
            "textarea",
            "url",
            "email",
            "phone",
            "combobox",
            "picklist",
            "multipicklist",
            "id",
            "reference",
        ),
        _T,
    ),
    **dict.fromkeys(("int", "long", "double", "currency", "percent"), _N),
    "boolean": _B,
    "date": _D,
    "datetime": _DT,
    "time": _TM,
}

_UNSUPPORTED_REASONS = {
    "address": "is a compound field; map its parts instead",
    "location": "is a compound field; map its latitude and longitude instead",
    "base64": "holds binary content (base64), which has no contact or prospect field",
    "encryptedstring": "is encrypted text, which Salesforce only returns masked",
}

_ALL = frozenset(Family)
_TEXT_ONLY = frozenset({_T})

PULL_ACCEPTS: dict[LocalType, frozenset[Family]] = {
    LocalType.TEXT: _ALL,
    LocalType.EMAIL: _TEXT_ONLY,
    LocalType.PHONE: _TEXT_ONLY,
    LocalType.URL: _TEXT_ONLY,
    LocalType.CHOICE: _TEXT_ONLY,
    LocalType.NUMBER: frozenset({_N}),
    LocalType.BOOLEAN: frozenset({_B}),
    LocalType.DATE: frozenset({_D}),
    LocalType.DATETIME: frozenset({_DT, _D}),
    LocalType.TIME: frozenset({_TM}),
}
"""Contact field type -> the Salesforce families it takes."""

_NO_PROSPECT_VALUES = frozenset[Family]()

EXPORT_ACCEPTS: dict[str, frozenset[Family]] = {
    **dict.fromkeys(("string", "textarea", "combobox", "picklist", "multipicklist", "url"), _ALL),
    "email": _TEXT_ONLY,
    "phone": _TEXT_ONLY,
    **dict.fromkeys(("int", "long", "double", "currency", "percent"), frozenset({_N})),
    "boolean": frozenset({_B}),
    "date": frozenset({_D}),
    "datetime": frozenset({_DT, _D}),
    "time": frozenset({_TM}),
    "id": _NO_PROSPECT_VALUES,
    "reference": _NO_PROSPECT_VALUES,
}
"""Salesforce field type -> the prospect families it takes. Ids come from lookups the export
makes itself (the Contact's Account), never from prospect columns."""


def salesforce_family(field: SalesforceField) -> Family | None:
    """The family of a field's values; None when forcebridge does not convert its type."""
    return SALESFORCE_FAMILIES.get(field.type)


def unsupported(field: SalesforceField) -> str | None:
    """Why a field cannot be mapped at all, or None when it can."""
    if field.type in SALESFORCE_FAMILIES:
        return None
    reason = _UNSUPPORTED_REASONS.get(field.type, f"has type {field.type}, which is not supported")
    return f"{field.display_name} {reason}"


def pull_mismatch(source: SalesforceField, target: LocalField) -> str | None:
    """Why `target` cannot hold `source`'s values, or None when it can."""
    family = salesforce_family(source)
    if family is not None and family in PULL_ACCEPTS[target.type]:
        return None
    return (
        f"{source.display_name} holds {source.type} values, which contact field "
        f"{target.name} ({target.type}) cannot hold"
    )


def export_mismatch(source: LocalField, target: SalesforceField) -> str | None:
    """Why `source`'s values cannot fill `target`, or None when they can."""
    if source.type.family in EXPORT_ACCEPTS.get(target.type, _NO_PROSPECT_VALUES):
        return None
    return (
        f"{target.display_name} takes {target.type} values, which prospect field "
        f"{source.name} ({source.type}) cannot give"
    )
