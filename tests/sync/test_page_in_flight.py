"""When the next page may be decided while the page before it is still being written: the rule
as a pure function, then held against a real store (SQLite and PostgreSQL). For random books
and pages, whenever the rule says the next page's lookups are unaffected by the page in flight,
they read exactly the same before and after that page is written."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from forcebridge.mapping.contact_fields import contact_fields
from forcebridge.mapping.rules import ResolvedValue
from forcebridge.store.models import UpdateOption
from forcebridge.store.repositories.contacts import (
    Identity,
    StoredContact,
    add_identities,
    insert_contacts,
)
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service
from forcebridge.sync.page_in_flight import InFlight, in_flight, unaffected
from forcebridge.sync.pull_page import PageChanges, StoreView
from forcebridge.sync.pull_record import Incoming, ReadPage, Target, keyed
from forcebridge.sync.pull_store import apply_changes, decide, store_view

SOURCE = "salesforce:Contact"
STAMP = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
FIELDS = contact_fields()
PHONES = [f"+1415555010{n}" for n in range(4)]
EMAILS = [f"p{n}@example.com" for n in range(3)]
IDS = [f"003{n:015d}" for n in range(8)]


def view(contacts: dict[int, StoredContact] | None = None, **fields: Any) -> StoreView:
    return StoreView(
        fields.get("linked", {}),
        contacts or {},
        fields.get("identities", {}),
        fields.get("converted", {}),
    )


def stored(contact_id: int) -> StoredContact:
    return StoredContact(contact_id, {"phone_e164": None, "mobile_e164": None})


NOTHING = InFlight(frozenset(), frozenset(), relinks=False)


def test_a_page_that_shares_nothing_with_the_next_leaves_its_lookups_unaffected() -> None:
    pending = in_flight(PageChanges(creates=[({}, IDS[0])], updates={5: {}}))
    assert unaffected(pending, [Incoming(IDS[1], STAMP)], view({6: stored(6)}))


@pytest.mark.parametrize(
    ("pending", "record", "contacts"),
    [
        # the next page's lookups found a contact the page in flight changes or links
        (in_flight(PageChanges(updates={5: {}})), Incoming(IDS[1], STAMP), {5: stored(5)}),
        (
            in_flight(PageChanges(links=[Identity(5, SOURCE, IDS[0])])),
            Incoming(IDS[1], STAMP),
            {5: stored(5)},
        ),
        # a record of the next page is one the page in flight links, or its converted Contact
        (in_flight(PageChanges(creates=[({}, IDS[1])])), Incoming(IDS[1], STAMP), {}),
        (
            in_flight(PageChanges(links=[Identity(5, SOURCE, IDS[2])])),
            Incoming("00Q1", STAMP, converted_to=IDS[2]),
            {},
        ),
        # an unlink may make a contact matchable again, which the lookups did not see
        (in_flight(PageChanges(unlinks=[IDS[0]])), Incoming(IDS[1], STAMP), {}),
        # a merge moves the merged contact's links, whichever records they are
        (in_flight(PageChanges(merges=[(7, 8)])), Incoming(IDS[1], STAMP), {}),
    ],
)
def test_a_page_in_flight_that_could_change_what_the_next_reads_has_it_wait(
    pending: InFlight, record: Incoming, contacts: dict[int, StoredContact]
) -> None:
    assert not unaffected(pending, [record], view(contacts))
    assert unaffected(NOTHING, [record], view(contacts))


# Against a real store ------------------------------------------------------------------------

_services = itertools.count()

existing = st.lists(
    st.tuples(
        st.sampled_from([None, *PHONES]),
        st.sampled_from([None, *EMAILS]),
        st.sampled_from([None, SOURCE, "csv:import"]),
    ),
    max_size=5,
)
records = st.lists(
    st.tuples(
        st.sampled_from(IDS),
        st.sampled_from([None, *PHONES]),
        st.sampled_from([None, *EMAILS]),
        st.booleans(),
    ),
    max_size=4,
    unique_by=lambda record: record[0],
)


def incoming(sid: str, phone: str | None, email: str | None, deleted: bool) -> Incoming:
    if deleted:
        return Incoming(sid, STAMP, deleted=True)
    values = {
        name: ResolvedValue(value, name, 1, UpdateOption.OVERWRITE)
        for name, value in (("phone", phone), ("email", email))
        if value is not None
    }
    return keyed(sid, STAMP, values, [], "US")


def normalized(found: StoreView) -> tuple[Any, ...]:
    return (
        dict(found.linked),
        {cid: dict(contact.values) for cid, contact in found.contacts.items()},
        {cid: sorted(ids, key=repr) for cid, ids in found.identities.items()},
        dict(found.converted),
    )


Book = list[tuple[str | None, str | None, str | None]]
"""Existing contacts: phone, email, and the source each is linked to (None: unlinked)."""
Records = list[tuple[str, str | None, str | None, bool]]
"""A page: Salesforce Id, phone, email, deleted."""


def before_and_after(
    session: Session, book: Book, first: Records, second: Records
) -> tuple[bool, StoreView, StoreView]:
    """In a service of its own holding `book`: whether the rule lets `second` be decided while
    `first` is being written, and what `second`'s lookups read before and after that write."""
    org = create_org(session, f"org{next(_services)}")
    service = create_service(session, org, "support")
    target = Target(service.id, SOURCE, None, "US", FIELDS)
    rows = [
        {"phone_e164": phone, "email_normalized": email, "email": email} for phone, email, _ in book
    ]
    ids = insert_contacts(session, service.id, rows)
    linked_ids = iter(IDS[::-1])
    add_identities(
        session,
        service.id,
        [
            Identity(cid, source, next(linked_ids) if source == SOURCE else f"row{cid}")
            for cid, (_, _, source) in zip(ids, book, strict=True)
            if source is not None
        ],
    )
    session.commit()

    page = ReadPage([incoming(*record) for record in first])
    written = decide(target, 0, page, store_view(session, target, page.incoming)).changes
    after = [incoming(*record) for record in second]
    stale = store_view(session, target, after)
    apply_changes(session, target, written)
    session.commit()
    fresh = store_view(session, target, after)
    return unaffected(in_flight(written), after, stale), stale, fresh


def test_a_page_of_new_contacts_leaves_the_next_pages_lookups_as_they_are(
    session: Session,
) -> None:
    """A first pull's case: a page creates a contact with the number the next page's record
    has, and an imported contact the next page matches is untouched by the first."""
    book: Book = [(PHONES[0], None, "csv:import")]
    first: Records = [(IDS[0], PHONES[1], EMAILS[0], False)]
    second: Records = [(IDS[1], PHONES[1], EMAILS[0], False), (IDS[2], PHONES[0], None, False)]
    held, stale, fresh = before_and_after(session, book, first, second)
    assert held
    assert normalized(stale) == normalized(fresh)
    assert len(stale.contacts) == 1  # the imported contact; the new one is linked, never read


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(book=existing, first=records, second=records)
def test_when_the_rule_holds_the_next_page_reads_the_same_before_and_after_the_write(
    session: Session, book: Book, first: Records, second: Records
) -> None:
    held, stale, fresh = before_and_after(session, book, first, second)
    if held:
        assert normalized(stale) == normalized(fresh)
