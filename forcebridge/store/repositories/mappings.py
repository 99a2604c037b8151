"""Mappings per Salesforce object, a service's (pull) or an org's (export): ordered rows,
replaced as a whole.

Rows are saved in the order given (their position is their priority), so what an admin reads
back is what they wrote.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from forcebridge.store.models import Mapping, MappingRow, Org, Service, UpdateOption

Row = tuple[str, str, UpdateOption]
"""`(source, target, update option)`."""


def get_mapping(session: Session, service: Service, sobject: str) -> Mapping | None:
    """The service's mapping for `sobject` (named in any case, as Salesforce allows) with its
    rows in order, or None if it has none; as the database holds it now, though the session
    loaded it before (its sessions keep what they loaded: a run in a long-lived session would
    otherwise read with the rows an admin has since replaced)."""
    return session.scalars(
        select(Mapping)
        .where(Mapping.service_id == service.id, func.lower(Mapping.object) == sobject.lower())
        .options(selectinload(Mapping.rows))
        .execution_options(populate_existing=True)
    ).one_or_none()


def save_mapping(session: Session, service: Service, sobject: str, rows: Iterable[Row]) -> Mapping:
    """Replace the service's mapping for `sobject` with `rows`, in priority order."""
    mapping = get_mapping(session, service, sobject)
    if mapping is None:
        mapping = Mapping(service_id=service.id, object=sobject)
        session.add(mapping)
    return _replace_rows(session, mapping, rows)


def get_org_mapping(session: Session, org: Org, sobject: str) -> Mapping | None:
    """The org's export mapping for `sobject` with its rows in order, or None if it has none;
    as the database holds it now (`get_mapping`)."""
    return session.scalars(
        select(Mapping)
        .where(Mapping.org_id == org.id, Mapping.object == sobject)
        .options(selectinload(Mapping.rows))
        .execution_options(populate_existing=True)
    ).one_or_none()


def save_org_mapping(session: Session, org: Org, sobject: str, rows: Iterable[Row]) -> Mapping:
    """Replace the org's export mapping for `sobject` with `rows`, in priority order."""
    mapping = get_org_mapping(session, org, sobject)
    if mapping is None:
        mapping = Mapping(org_id=org.id, object=sobject)
        session.add(mapping)
    return _replace_rows(session, mapping, rows)


def _replace_rows(session: Session, mapping: Mapping, rows: Iterable[Row]) -> Mapping:
    mapping.rows.clear()
    session.flush()
    mapping.rows.extend(
        MappingRow(position=position, source=source, target=target, update_option=option)
        for position, (source, target, option) in enumerate(rows, start=1)
    )
    session.flush()
    return mapping


def list_mappings(session: Session, service: Service) -> list[Mapping]:
    return list(
        session.scalars(
            select(Mapping)
            .where(Mapping.service_id == service.id)
            .options(selectinload(Mapping.rows))
            .order_by(Mapping.object)
        )
    )
