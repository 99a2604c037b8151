"""A service's contacts, read and written a page at a time.

A pull matches and applies up to 2,000 records at once, so every lookup here takes a whole
page's keys as one parameter and costs one indexed query per key (identities, phones, emails),
never one per record nor one per slice of the page, and none when it is given no keys; every
write goes to the driver as one batch of rows (`forcebridge.store.bulk`).
Contacts are never deleted: a record deleted at its source unlinks the identity and marks the
contact.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Select,
    Table,
    any_,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.types import NullType

from forcebridge.store import bulk
from forcebridge.store.models import Contact, ContactIdentity, Service
from forcebridge.store.types import utcnow

BUILTIN_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile_phone",
    "title",
    "company",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
)
"""The contact fields every service has, as columns; custom fields live in `custom`."""

KEY_COLUMNS = ("email_normalized", "phone_e164", "mobile_e164")
"""What matching compares: set by the caller from the email, phone and mobile."""

_WRITTEN_AS_IS = (*BUILTIN_FIELDS, *KEY_COLUMNS)
_COLUMNS = (*_WRITTEN_AS_IS, "custom", "deleted_in_source")
_STREAMED = 1000
"""Rows fetched at a time by the reads that stream a whole service."""


@dataclass(frozen=True)
class StoredContact:
    """A contact's current values, as matching and update planning need them."""

    id: int
    values: Mapping[str, Any]
    """Every column of `BUILTIN_FIELDS`, `KEY_COLUMNS`, `custom` and `deleted_in_source`."""

    @property
    def phones(self) -> frozenset[str]:
        return frozenset(p for p in (self.values["phone_e164"], self.values["mobile_e164"]) if p)


class Identity(NamedTuple):
    """One record elsewhere that is a contact: `("salesforce:Contact", "003...")`. A tuple: a
    first pull makes one per record, and the writer copies it as a row as it is."""

    contact_id: int
    source: str
    external_id: str
    connection_id: int | None = None


_LOOKUP_PLANNING = (
    ("plan_cache_mode", "force_custom_plan"),
    ("random_page_cost", "1.1"),
    ("max_parallel_workers_per_gather", "0"),
)
"""PostgreSQL's planner settings for a page's lookups; see `planned_for_their_keys`."""
_LOCK_NOT_AVAILABLE = "55P03"
"""PostgreSQL's SQLSTATE for a lock not granted within `lock_timeout`."""


@contextmanager
def planned_for_their_keys(session: Session) -> Iterator[None]:
    """Have PostgreSQL plan the lookups made inside for the keys they are given.

    psycopg prepares a statement once it has run five times, and PostgreSQL may then keep a
    generic plan made while the service had few contacts: the page lookups of a first pull
    then scan every contact of the service (seconds a page at 40,000). And a page's keys are
    probed in indexes a working store keeps in memory, where PostgreSQL's default cost of a
    random read (four sequential ones, for disks that seek) has it scan the service's
    contacts instead up to a few hundred thousand of them (13 ms a lookup at 100,000 against
    3 through the index). Nor do they gain from parallel workers, which PostgreSQL planned for
    the phone lookup once the book was large, and whose start cost more than the lookup. The
    defaults come back afterwards, for the writes: with custom plans forced, every row of a
    many-row INSERT, and every foreign key check it fires, is planned again, which doubled the
    cost of writing a page. Other databases need nothing."""
    if not bulk.is_postgresql(session):
        yield
        return
    with _set_locally(session, _LOOKUP_PLANNING):
        yield


@contextmanager
def _set_locally(session: Session, settings: Iterable[tuple[str, str]]) -> Iterator[None]:
    """PostgreSQL `settings` for the statements inside, their defaults back afterwards (SET
    LOCAL alone would keep them to the end of the transaction). Inside a savepoint that rolls
    back, PostgreSQL takes them back itself. Each way is one round trip, however many settings:
    a run does this for every page."""
    settings = tuple(settings)
    session.execute(text("; ".join(f"SET LOCAL {name} = {value}" for name, value in settings)))
    yield
    session.execute(text("; ".join(f"SET LOCAL {name} TO DEFAULT" for name, _ in settings)))


_COUNTED = (
    "contacts (service_id, email_normalized, phone_e164, mobile_e164),"
    " contact_identities (service_id, source, external_id, contact_id)"
)
"""What the page lookups filter on: the columns `refresh_statistics` has counted."""
_COUNTING_SAMPLE = 10
"""`default_statistics_target` while counting: 3,000 sampled rows, not PostgreSQL's 30,000."""


def refresh_statistics(session: Session) -> None:
    """Have PostgreSQL count the contacts and identities again (ANALYZE), for a store that grew
    faster than autovacuum looks (see `forcebridge.sync.planner_statistics`). SQLite plans the
    lookups through their indexes without statistics.

    What the lookups need is the size of the tables and how many distinct keys they hold, so
    only the columns they filter on are counted, from a small sample: a tenth of a default
    ANALYZE's time (0.6 s of a 100,000-contact pull went to counting, now 0.06). Autovacuum
    counts the tables in full, as before, once enough of them has changed again.

    Only an optimization, so it waits at most a second for a table another session is counting
    or vacuuming (an anti-wraparound vacuum holds it for as long as it takes), and otherwise
    leaves the counting to that session."""
    if not bulk.is_postgresql(session):
        return
    counting = (("lock_timeout", "'1s'"), ("default_statistics_target", str(_COUNTING_SAMPLE)))
    try:
        with session.begin_nested(), _set_locally(session, counting):
            session.execute(text(f"ANALYZE {_COUNTED}"))
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise


def one_of(session: Session, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """`column` is one of `values`, given as one parameter however many values there are:
    PostgreSQL's `= ANY(:array)`, SQLite's `IN (SELECT value FROM json_each(:json))`.
    Thousands of placeholders cost more to bind than the indexed lookup they feed, and with no
    limit on their number a page is one statement: on PostgreSQL, each statement of a slice
    of it cost as much again as the whole (a scan of the service's identities, say). A JSON
    array unnested by PostgreSQL (`json_array_elements_text`) is not: PostgreSQL cannot see how
    many keys it holds, and while a first pull fills a store its statistics do not know of,
    it planned a scan of the service's rows for every key (4 ms a record, measured)."""
    return _listed_in(session, column, _listed(session, values))


def _listed(session: Session, values: Collection[Any]) -> BindParameter[Any]:
    """`values` as the one parameter `_listed_in` compares with; a statement naming it twice
    sends it once. On PostgreSQL its type is the array psycopg sends (text, integers), in
    binary (`bulk.KeyArray`)."""
    if bulk.is_postgresql(session):
        return bindparam(None, bulk.KeyArray(values), NullType())
    return bindparam(None, json.dumps(list(values)))


def _listed_in(session: Session, column: Any, listed: BindParameter[Any]) -> ColumnElement[bool]:
    if bulk.is_postgresql(session):
        return cast(ColumnElement[bool], column == any_(listed))
    unnested = func.json_each(listed).table_valued("value")
    return cast(ColumnElement[bool], column.in_(select(unnested.c.value)))


def linked_contacts(
    session: Session, service_id: int, source: str, external_ids: Collection[str]
) -> dict[str, int]:
    """The contact id linked to each of `external_ids` that is linked, in one query."""
    if not external_ids:
        return {}
    rows = session.execute(links_query(session, service_id, source, external_ids))
    return {row[0]: row[1] for row in rows}


def links_query(
    session: Session, service_id: int, source: str, external_ids: Collection[str]
) -> Select[str, int]:
    """`(external id, contact id)` of each of `external_ids` linked in the service."""
    return select(ContactIdentity.external_id, ContactIdentity.contact_id).where(
        ContactIdentity.service_id == service_id,
        ContactIdentity.source == source,
        one_of(session, ContactIdentity.external_id, external_ids),
    )


def _contacts_query(*conditions: Any) -> Select[Any]:
    columns = [getattr(Contact, name) for name in _COLUMNS]
    return select(Contact.id, *columns).where(*conditions)


def _stored_contacts(
    session: Session, statement: Select[Any] | CompoundSelect[Any]
) -> list[StoredContact]:
    rows = session.execute(statement)
    return [StoredContact(row[0], dict(zip(_COLUMNS, row[1:], strict=True))) for row in rows]


def _matchable(service_id: int, unlinked_from: str | None) -> list[ColumnElement[bool]]:
    """The service's contacts, less those linked to a record of `unlinked_from` (given): each
    is another record's, so matching passes over it. Contacts at one company often share its
    main line: on a first pull, the lookups read back every contact the read had created with
    the page's numbers, and their identities, only for matching to pass over them all."""
    conditions = [Contact.service_id == service_id]
    if unlinked_from is not None:
        linked = select(ContactIdentity.id).where(
            ContactIdentity.contact_id == Contact.id, ContactIdentity.source == unlinked_from
        )
        conditions.append(~linked.exists())
    return conditions


def contacts_by_phone(
    session: Session,
    service_id: int,
    phones: Collection[str],
    *,
    unlinked_from: str | None = None,
) -> list[StoredContact]:
    """Contacts whose phone or mobile (E.164) is one of `phones` (and not linked to a record
    of `unlinked_from`, when given).

    A UNION of one lookup per column: SQLite plans `phone IN (...) OR mobile IN (...)` as a
    scan of every contact of the service, where each column alone is an index lookup."""
    if not phones:
        return []
    listed = _listed(session, phones)
    by_column = [
        _contacts_query(*_matchable(service_id, unlinked_from), _listed_in(session, column, listed))
        for column in (Contact.phone_e164, Contact.mobile_e164)
    ]
    found: dict[int, StoredContact] = {}
    for contact in _stored_contacts(session, union_all(*by_column)):
        found.setdefault(contact.id, contact)
    return list(found.values())


def contacts_by_email(
    session: Session,
    service_id: int,
    emails: Collection[str],
    *,
    unlinked_from: str | None = None,
) -> list[StoredContact]:
    """Contacts whose case-folded email is one of `emails` (and not linked to a record of
    `unlinked_from`, when given)."""
    if not emails:
        return []
    return _stored_contacts(
        session,
        _contacts_query(
            *_matchable(service_id, unlinked_from),
            one_of(session, Contact.email_normalized, emails),
        ),
    )


def contacts_by_id(session: Session, contact_ids: Collection[int]) -> dict[int, StoredContact]:
    if not contact_ids:
        return {}
    contacts = _stored_contacts(session, _contacts_query(one_of(session, Contact.id, contact_ids)))
    return {c.id: c for c in contacts}


def identities_by_contact(
    session: Session, contact_ids: Collection[int]
) -> dict[int, list[Identity]]:
    """The identities of each of `contact_ids` that has any."""
    found: dict[int, list[Identity]] = {}
    if not contact_ids:
        return found
    rows = session.execute(
        select(
            ContactIdentity.contact_id,
            ContactIdentity.source,
            ContactIdentity.external_id,
            ContactIdentity.connection_id,
        ).where(one_of(session, ContactIdentity.contact_id, contact_ids))
    )
    for row in rows:
        found.setdefault(row[0], []).append(Identity(*row))
    return found


def insert_contacts(
    session: Session, service_id: int, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Create one contact per row (column values by name); their ids, in order."""
    table = cast(Table, Contact.__table__)
    now = bulk.constant(session, table.c.created_at, utcnow())
    return bulk.insert_numbered(
        session,
        table,
        ("service_id", "created_at", "updated_at", *_COLUMNS),
        [(service_id, now, now, *_column_values(row)) for row in rows],
    )


def update_contacts(session: Session, rows: Mapping[int, Mapping[str, Any]]) -> None:
    """Write each contact's complete new values (every column of `StoredContact.values`)."""
    if not rows:
        return
    table = cast(Table, Contact.__table__)
    now = bulk.constant(session, table.c.updated_at, utcnow())
    bulk.update_rows(
        session,
        table,
        ("updated_at", *_COLUMNS),
        [(now, *_column_values(row), cid) for cid, row in rows.items()],
    )


def _column_values(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """The row's values in `_COLUMNS` order, as the driver takes them."""
    return (
        *map(row.get, _WRITTEN_AS_IS),
        bulk.json_document(row.get("custom") or {}),
        bool(row.get("deleted_in_source")),
    )


def add_identities(session: Session, service_id: int, identities: Iterable[Identity]) -> None:
    bulk.insert_rows(
        session,
        cast(Table, ContactIdentity.__table__),
        ("service_id", *Identity._fields),
        [(service_id, *identity) for identity in identities],
    )


def remove_identities(
    session: Session, service_id: int, source: str, external_ids: Collection[str]
) -> None:
    """Unlink these records from their contacts (the contacts stay)."""
    if not external_ids:
        return
    session.execute(
        delete(ContactIdentity)
        .where(
            ContactIdentity.service_id == service_id,
            ContactIdentity.source == source,
            one_of(session, ContactIdentity.external_id, external_ids),
        )
        .execution_options(synchronize_session=False)
    )


def linked_external_ids(
    session: Session, service_id: int, source: str, connection_id: int | None = None
) -> Iterator[str]:
    """Every external id of `source` linked in the service, streamed (for reconciliation)."""
    query = linked_ids_query(service_id, source, connection_id)
    yield from session.scalars(query.execution_options(yield_per=_STREAMED))


def any_linked(
    session: Session, service_id: int, source: str, connection_id: int | None = None
) -> bool:
    """Whether `linked_external_ids` would give any."""
    return session.scalar(linked_ids_query(service_id, source, connection_id).limit(1)) is not None


def linked_ids_query(service_id: int, source: str, connection_id: int | None) -> Select[Any]:
    """The external ids of `source` linked in the service (on its connection, or on none)."""
    query = select(ContactIdentity.external_id).where(
        ContactIdentity.service_id == service_id, ContactIdentity.source == source
    )
    if connection_id is not None:
        query = query.where(
            or_(
                ContactIdentity.connection_id == connection_id,
                ContactIdentity.connection_id.is_(None),
            )
        )
    return query


def list_contacts(
    session: Session, service: Service, *, after: int = 0, limit: int | None = None
) -> list[Contact]:
    """The service's contacts with their identities, oldest first: all of them, or a page of
    `limit` whose ids come after `after` (the last id of the page before)."""
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.service_id == service.id, Contact.id > after)
            .options(selectinload(Contact.identities))
            .order_by(Contact.id)
            .limit(limit)
        )
    )
