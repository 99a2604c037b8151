"""Defining a service's own contact fields (`loyalty_tier`, a choice of Gold or Silver), which
pull mappings may then target and `contacts list` shows under `custom`.

A field is checked before it is kept (`custom_field_problem`), and one that a saved mapping
writes to cannot be removed until the mapping stops naming it: the next run would fail. A
removed field's values stay on the contacts that hold them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from forcebridge.mapping.contact_fields import CustomFieldSpec, custom_field_problem
from forcebridge.store.errors import InvalidValue
from forcebridge.store.models import CustomContactField, CustomFieldType, Service
from forcebridge.store.repositories.custom_contact_fields import (
    add_custom_field,
    delete_custom_field,
)
from forcebridge.store.repositories.mappings import list_mappings


def define_field(
    session: Session, service: Service, name: str, type_: str, choices: Sequence[str] = ()
) -> CustomContactField:
    """Add a custom contact field to the service; InvalidValue names what is wrong with it."""
    spec = CustomFieldSpec(name, type_, tuple(choices) if choices else None)
    problem = custom_field_problem(spec)
    if problem is not None:
        raise InvalidValue(problem)
    cleaned = [choice.strip() for choice in choices] or None
    return add_custom_field(session, service, name, CustomFieldType(type_), cleaned)


def remove_field(session: Session, service: Service, name: str) -> None:
    """Remove a custom contact field no saved mapping writes to."""
    for mapping in list_mappings(session, service):
        rows = [str(n) for n, row in enumerate(mapping.rows, start=1) if row.target == name]
        if rows:
            which = f"row {rows[0]}" if len(rows) == 1 else f"rows {', '.join(rows)}"
            raise InvalidValue(
                f"custom field {name!r} is what the {mapping.object} mapping's {which} "
                f"{'writes' if len(rows) == 1 else 'write'} to; change that mapping first"
            )
    delete_custom_field(session, service, name)
