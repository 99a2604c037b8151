"""The contact book's fields: what a pull can write, built-in and per service."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from forcebridge.mapping.errors import MappingError
from forcebridge.mapping.local_fields import LocalField, LocalFields, LocalType
from forcebridge.wording import quoted

TEXT_MAX_LENGTH = 255
"""What a built-in contact field holds; Salesforce text beyond it is truncated with a warning."""


def _builtin(name: str, label: str, type_: LocalType = LocalType.TEXT) -> LocalField:
    return LocalField(name, type_, label, max_length=TEXT_MAX_LENGTH)


BUILTIN_CONTACT_FIELDS = (
    _builtin("first_name", "First name"),
    _builtin("last_name", "Last name"),
    _builtin("email", "Email", LocalType.EMAIL),
    _builtin("phone", "Phone", LocalType.PHONE),
    _builtin("mobile_phone", "Mobile phone", LocalType.PHONE),
    _builtin("title", "Title"),
    _builtin("company", "Company"),
    _builtin("street", "Street"),
    _builtin("city", "City"),
    _builtin("state", "State"),
    _builtin("postal_code", "Postal code"),
    _builtin("country", "Country"),
)


@dataclass(frozen=True, slots=True)
class CustomFieldSpec:
    """A service's custom contact field as the store defines it."""

    name: str
    type: str
    """One of text, number, date, datetime, time, boolean, choice."""
    choices: tuple[str, ...] | None = None


_CUSTOM_TYPES = frozenset(
    {
        LocalType.TEXT,
        LocalType.NUMBER,
        LocalType.DATE,
        LocalType.DATETIME,
        LocalType.TIME,
        LocalType.BOOLEAN,
        LocalType.CHOICE,
    }
)


CUSTOM_NAME_MAX_LENGTH = 40
"""The longest name of a custom contact field, which mappings, `contacts list` and the
product's API show as a key."""

_CUSTOM_NAME = re.compile(rf"[a-z][a-z0-9_]{{0,{CUSTOM_NAME_MAX_LENGTH - 1}}}")


RESERVED_NAMES = {
    "external_id": "the column of a contacts import that holds the other system's id",
    "id": "each contact's own id",
    "custom": "where contacts keep their custom fields",
    "identities": "each contact's links to Salesforce and other systems",
    "deleted_in_source": "the mark of a contact whose Salesforce record was deleted",
}
"""Names a custom field may not take: what `contacts list` and `contacts import` call other
things, so a field so named would be ambiguous there."""


def custom_field_problem(spec: CustomFieldSpec) -> str | None:
    """What is wrong with a custom contact field's definition, or None.

    Its name is what mappings, `contacts list` and the product's API call it, so it is
    written like the built-in ones (`loyalty_tier`) and must not be one of them; a choice
    field lists its choices, each once, and no other field has any."""
    if len(spec.name) > CUSTOM_NAME_MAX_LENGTH:
        return (
            f"{quoted(spec.name)} is not a field name: a name has {CUSTOM_NAME_MAX_LENGTH}"
            " characters at most"
        )
    if not _CUSTOM_NAME.fullmatch(spec.name):
        return (
            f"{spec.name!r} is not a field name: a lower-case letter, then up to "
            f"{CUSTOM_NAME_MAX_LENGTH - 1} lower-case letters, digits and underscores "
            "(like loyalty_tier)"
        )
    if spec.name in {f.name for f in BUILTIN_CONTACT_FIELDS}:
        return f"{spec.name!r} is a built-in contact field"
    if spec.name in RESERVED_NAMES:
        return f"{spec.name!r} is a name contacts already use ({RESERVED_NAMES[spec.name]})"
    if spec.type not in _CUSTOM_TYPES:
        choices = ", ".join(sorted(t.value for t in _CUSTOM_TYPES))
        return f"{spec.type!r} is not a custom field type: {choices}"
    if spec.type != LocalType.CHOICE:
        return (
            f"only a choice field has choices; {spec.name} is {spec.type}" if spec.choices else None
        )
    chosen = [c.strip() for c in spec.choices or ()]
    if not chosen or not all(chosen):
        return f"the choice field {spec.name} needs its choices, none of them blank"
    if len(set(chosen)) != len(chosen):
        return f"the choice field {spec.name} lists a choice twice"
    return None


def contact_fields(custom: Iterable[CustomFieldSpec] = ()) -> LocalFields:
    """Every field a pull may target: the built-in ones, then the service's custom ones.

    Custom fields are named plainly in mappings, so one named like a built-in field could
    never be reached: that is refused rather than silently shadowed.
    """
    builtin_names = {f.name for f in BUILTIN_CONTACT_FIELDS}
    fields = list(BUILTIN_CONTACT_FIELDS)
    for spec in custom:
        if spec.name in builtin_names:
            raise MappingError(
                f"custom contact field {spec.name!r} has the name of a built-in field; rename it"
            )
        if spec.type not in _CUSTOM_TYPES:
            raise MappingError(f"custom contact field {spec.name!r} has unknown type {spec.type!r}")
        fields.append(
            LocalField(
                spec.name,
                LocalType(spec.type),
                spec.name,
                choices=tuple(spec.choices) if spec.choices is not None else None,
                custom=True,
            )
        )
    return LocalFields(tuple(fields))
