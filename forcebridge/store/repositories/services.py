"""Services, addressed as "ORG/SERVICE"."""

from __future__ import annotations

import secrets

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.soql.dates import known_zone
from forcebridge.store.errors import AlreadyExists, InvalidValue, NotFound
from forcebridge.store.models import Connection, Org, Service
from forcebridge.store.names import check_name, split_service_path
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.uniqueness import add_unique, named
from forcebridge.wording import quoted


def check_timezone(name: str) -> str:
    """`name` when it is an IANA time zone this machine knows (`known_zone`'s rule), else
    refused quoting it as messages quote a typed value (a long one by its start and length)."""
    if known_zone(name) is None:
        raise InvalidValue(
            f"unknown time zone {quoted(name)}: use an IANA name such as 'Europe/Paris' or 'UTC'"
        )
    return name


def check_region(code: str) -> str:
    """`code` upper-cased when it is a country with a phone numbering plan."""
    region = code.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidValue(
            f"unknown phone region {code!r}: use a two-letter country code such as 'US' or 'FR'"
        )
    return region


def create_service(
    session: Session,
    org: Org,
    name: str,
    *,
    timezone: str = "UTC",
    region: str = "US",
    connection: Connection | None = None,
) -> Service:
    if connection is not None and connection.org_id != org.id:
        raise InvalidValue(
            f"connection {connection.name!r} belongs to another org than {org.name!r}"
        )
    service = Service(
        org=org,
        name=check_name("service", name),
        timezone=check_timezone(timezone),
        region=check_region(region),
        connection=connection,
        task_key_scope=new_task_key_scope(),
    )
    return add_unique(session, service, "service", f"{org.name}/{name}")


def check_service_name_free(session: Session, org: Org, name: str) -> None:
    """AlreadyExists when the org has a service of that name: said before anything about the
    service to be made is chosen (its connection), which would otherwise be asked about first."""
    taken, _ = named(session, Service, name, Service.org_id == org.id)
    if taken is not None:
        raise AlreadyExists("service", f"{org.name}/{name}")


def new_task_key_scope() -> str:
    """A letter and 32 random bits: never a number, which is what the keys of services made
    before scopes existed carry (their id)."""
    return f"k{secrets.token_hex(4)}"


def get_service(session: Session, path: str) -> Service:
    """The service named by "ORG/SERVICE"; NotFound names whichever part is missing."""
    org_name, service_name = split_service_path(path)
    org = get_org(session, org_name)
    service, near = named(session, Service, service_name, Service.org_id == org.id)
    if service is None:
        raise NotFound("service", path, near and f"{org.name}/{near}")
    return service


def list_services(session: Session, org: Org) -> list[Service]:
    return list(
        session.scalars(select(Service).where(Service.org_id == org.id).order_by(Service.name))
    )


def services_beside(session: Session, service: Service) -> list[Service]:
    """The other services on `service`'s Salesforce connection."""
    if service.connection_id is None:
        return []
    return list(
        session.scalars(
            select(Service)
            .where(Service.connection_id == service.connection_id, Service.id != service.id)
            .order_by(Service.id)
        )
    )
