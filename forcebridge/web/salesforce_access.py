"""Reaching Salesforce from a page: the client an org's or a service's settings are checked with,
and one readable refusal when Salesforce cannot answer.

A page offers the fields Salesforce has now: the describes it reads are revalidated when older
than `PAGE_DESCRIBE_AGE` (an unchanged one costs a call and no payload), so a field an admin
has just added in Salesforce is offered on the next page, not an hour later."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy.orm import Session

from forcebridge.mapping.errors import MappingError
from forcebridge.salesforce.client import SalesforceClient
from forcebridge.salesforce.errors import SalesforceError, TransientError
from forcebridge.store.models import Connection, Org, Service
from forcebridge.store.repositories.connections import list_connections
from forcebridge.sync.connection_choice import choose_connection
from forcebridge.sync.connection_errors import (
    ConnectError,
    NotConnected,
    SeveralConnections,
    UnknownConnection,
)
from forcebridge.sync.connections import open_client
from forcebridge.web.connections import failure_message, unreachable
from forcebridge.web.errors import WebError
from forcebridge.wording import listed, plural

PAGE_DESCRIBE_AGE = dt.timedelta(seconds=30)
"""Long enough for one page's several reads of a describe to cost one revalidation."""


class SalesforceUnavailable(WebError):
    """The page needs Salesforce's answer (a describe) and could not get it. `reason` says
    why without what to do about a refusal, for what was done all the same."""

    status = 409
    code = "salesforce_unavailable"

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


@contextmanager
def reaching_salesforce(connection: Connection) -> Iterator[None]:
    """Turn what connecting or describing raises into a page that says what to do, on the
    pages: a disconnected connection is reconnected on its card, not with a command."""
    try:
        yield
    except NotConnected:
        raise SalesforceUnavailable(
            f"Connection {connection.name} is disconnected: reconnect it first, with the "
            "Reconnect button on its card on the Connections page."
        ) from None
    except (SalesforceError, ConnectError, MappingError) as error:
        reason = unreachable(error) if isinstance(error, TransientError) else ""
        raise SalesforceUnavailable(failure_message(error), reason) from None


def export_connection(org: str, connections: Sequence[Connection], name: str) -> Connection:
    """The connection export mappings are checked against (`choose_connection`), the
    refusals worded for the page, where the admin chooses below."""
    try:
        connection = choose_connection(org, connections, name)
    except UnknownConnection as unknown:
        raise SalesforceUnavailable(
            f"{org} has no Salesforce connection named {name}: choose one of "
            f"{listed(unknown.names) or 'its connections'}."
        ) from None
    except SeveralConnections as several:
        raise SalesforceUnavailable(
            f"choose which of {org}'s {plural(len(several.names), 'Salesforce connection')} "
            f"({listed(several.names)}) to check them against, below."
        ) from None
    if connection is None:
        raise SalesforceUnavailable(
            f"{org} has no Salesforce connection: connect one on the Connections page first."
        )
    return connection


@contextmanager
def org_client(session: Session, org: Org, name: str = "") -> Iterator[SalesforceClient]:
    """A client on the org's connection `name`, or its only one: export mappings are checked
    against it."""
    connection = export_connection(org.name, list_connections(session, org), name)
    with (
        reaching_salesforce(connection),
        open_client(session, connection, describe_max_age=PAGE_DESCRIBE_AGE) as client,
    ):
        yield client


@contextmanager
def service_client(session: Session, service: Service) -> Iterator[SalesforceClient]:
    if service.connection is None:
        raise SalesforceUnavailable(
            f"Service {service.name} has no Salesforce connection: connect the org first."
        )
    with (
        reaching_salesforce(service.connection),
        open_client(session, service.connection, describe_max_age=PAGE_DESCRIBE_AGE) as client,
    ):
        yield client
