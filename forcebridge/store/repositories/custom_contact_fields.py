"""A service's own contact fields: their definitions, kept by name (values live in each
contact's `custom`, keyed by that name)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.store.errors import NotFound
from forcebridge.store.models import CustomContactField, CustomFieldType, Service
from forcebridge.store.repositories.uniqueness import add_unique


def list_custom_fields(session: Session, service: Service) -> list[CustomContactField]:
    """The service's custom contact fields, by name."""
    return list(
        session.scalars(
            select(CustomContactField)
            .where(CustomContactField.service_id == service.id)
            .order_by(CustomContactField.name)
        )
    )


def add_custom_field(
    session: Session,
    service: Service,
    name: str,
    type_: CustomFieldType,
    choices: Sequence[str] | None = None,
) -> CustomContactField:
    """Define a field; AlreadyExists when the service has one of that name."""
    field = CustomContactField(
        service_id=service.id, name=name, type=type_, choices=list(choices) if choices else None
    )
    return add_unique(session, field, "custom contact field", name)


def delete_custom_field(session: Session, service: Service, name: str) -> None:
    """Forget the definition; contacts keep the values they hold under that name."""
    field = session.scalars(
        select(CustomContactField).where(
            CustomContactField.service_id == service.id, CustomContactField.name == name
        )
    ).one_or_none()
    if field is None:
        raise NotFound("custom contact field", name)
    session.delete(field)
    session.flush()
