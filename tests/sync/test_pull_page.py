"""A page's decisions as pure functions: records read and keyed, then decided against what the
store holds, without a store or a server (the mapping is checked against the sandbox's Contact
describe, read from its schema files)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.mapping.contact_fields import contact_fields
from forcebridge.mapping.describe import Catalog
from forcebridge.mapping.model import Mapping, UpdateOption
from forcebridge.mapping.rules import compile_pull
from forcebridge.sandbox.describe import describe_object
from forcebridge.sandbox.schema import load_schema
from forcebridge.store.repositories.contacts import Identity, StoredContact
from forcebridge.sync.contact_values import EMPTY_CONTACT
from forcebridge.sync.matching import MatchKeys
from forcebridge.sync.pull_page import PageChanges, StoreView, decide_page
from forcebridge.sync.pull_record import (
    Incoming,
    Target,
    UnreadableRecord,
    match_keys,
    read_record,
)
from forcebridge.sync.pull_report import Code

SOURCE = "salesforce:Contact"
SCHEMA = load_schema()
STAMP = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
FIELDS = contact_fields()
COMPILED = compile_pull(
    Mapping.of(
        ("LastName", "last_name"),
        ("Phone", "phone"),
        ("MobilePhone", "mobile_phone"),
        ("Email", "email"),
        ("Title", "title", UpdateOption.FILL_EMPTY),
    ),
    Catalog.of(*(describe_object(SCHEMA, obj, "62.0") for obj in SCHEMA.objects)),
    "Contact",
    FIELDS,
)
TARGET = Target(service_id=1, source=SOURCE, connection_id=7, region="US", fields=FIELDS)


def read(**record: Any) -> Incoming:
    return read_record(
        {"Id": "003A", "SystemModstamp": STAMP.isoformat(), **record}, STAMP, COMPILED, TARGET
    )


def stored(contact_id: int, **values: Any) -> StoredContact:
    return StoredContact(contact_id, {**EMPTY_CONTACT, **values})


def decide(
    *records: Incoming,
    contacts: tuple[StoredContact, ...] = (),
    linked: dict[str, int] | None = None,
    identities: dict[int, list[Identity]] | None = None,
    target: Target = TARGET,
) -> PageChanges:
    view = StoreView(linked or {}, {c.id: c for c in contacts}, identities or {})
    return decide_page(records, view, target)


def test_a_record_is_keyed_by_its_phones_in_e164_and_its_email_case_folded() -> None:
    record = read(LastName="Ito", Phone="(201) 555-0100", Email=" Ito@Example.COM ")

    assert record.keys == {"phone": "+12015550100", "email": "ito@example.com"}
    assert record.match_keys == MatchKeys("003A", ("+12015550100",), "ito@example.com")


def test_an_unreadable_phone_is_left_out_with_a_note_and_the_rest_is_kept() -> None:
    record = read(LastName="Ito", Phone="call the front desk", MobilePhone="201-555-0199")

    assert "phone" not in record.values
    assert record.values["last_name"].value == "Ito"
    assert record.match_keys.phones == ("+12015550199",)
    [note] = record.notes
    assert (note.code, note.record_id, note.field) == (Code.INVALID_PHONE, "003A", "Phone")


def test_deleted_and_converted_records_carry_no_values_to_match_on() -> None:
    deleted = read(IsDeleted=True, LastName="Gone")
    converted = read(IsConverted="true", ConvertedContactId="003B", LastName="Lee")

    assert (deleted.deleted, deleted.values, deleted.match_keys) == (True, {}, MatchKeys("003A"))
    assert (converted.converted_to, converted.values) == ("003B", {})


def test_a_converted_lead_whose_contact_is_gone_is_read_as_leaving_the_book() -> None:
    orphan = read(IsConverted=True, ConvertedContactId=None, LastName="Lee")

    assert (orphan.deleted, orphan.left_scope, orphan.values) == (True, True, {})


def test_a_record_without_its_modstamp_cannot_be_read() -> None:
    with pytest.raises(UnreadableRecord, match="003A"):
        read_record({"Id": "003A"}, None, COMPILED, TARGET)


phone_keys = st.one_of(st.none(), st.sampled_from(["+12015550100", "+12015550199", ""]))


@given(phone=phone_keys, mobile=phone_keys, email=st.one_of(st.none(), st.just("a@b.example")))
def test_match_keys_hold_the_phone_before_the_mobile_and_a_number_given_twice_once(
    phone: str | None, mobile: str | None, email: str | None
) -> None:
    keys = match_keys("003A", {"phone": phone, "mobile_phone": mobile, "email": email})

    expected = [number for number in (phone, mobile) if number]
    assert keys.phones == tuple(dict.fromkeys(expected))
    assert (keys.external_id, keys.email) == ("003A", email)


def test_a_new_person_is_created_with_its_keys_and_linked() -> None:
    changes = decide(read(LastName="Ito", Phone="(201) 555-0100"))

    [(columns, sid)] = changes.creates
    assert sid == "003A"
    assert (columns["last_name"], columns["phone"], columns["phone_e164"]) == (
        "Ito",
        "(201) 555-0100",
        "+12015550100",
    )
    assert (changes.tally.created, changes.updates, changes.links) == (1, {}, [])


def test_a_contact_from_elsewhere_sharing_the_phone_is_enriched_and_linked() -> None:
    known = stored(5, last_name="Ito", phone_e164="+12015550100", title="Buyer")
    changes = decide(
        read(LastName="Ito-Sato", Phone="201 555 0100", Title="CEO"),
        contacts=(known,),
        identities={5: [Identity(5, "csv:crm", "row-1")]},
    )

    assert changes.creates == []
    assert changes.updates[5]["last_name"] == "Ito-Sato"
    assert changes.updates[5]["title"] == "Buyer"  # fill_empty: the contact's own stays
    assert changes.links == [Identity(5, SOURCE, "003A", 7)]


def test_a_contact_linked_to_another_record_of_the_source_is_not_taken() -> None:
    colleague = stored(5, phone_e164="+12015550100")
    changes = decide(
        read(LastName="Kim", Phone="201 555 0100"),
        contacts=(colleague,),
        identities={5: [Identity(5, SOURCE, "003Z")]},
    )

    assert len(changes.creates) == 1
    assert changes.updates == {}


def test_a_linked_record_read_again_unchanged_changes_nothing() -> None:
    contact = stored(5, last_name="Ito", phone="(201) 555-0100", phone_e164="+12015550100")
    changes = decide(
        read(LastName="Ito", Phone="(201) 555-0100"), contacts=(contact,), linked={"003A": 5}
    )

    assert (changes.tally.unchanged, changes.updates, changes.links) == (1, {}, [])


def test_a_deleted_record_unlinks_and_marks_its_contact_once_no_other_record_is_linked() -> None:
    contact = stored(5, last_name="Ito")
    changes = decide(
        read(IsDeleted=True),
        contacts=(contact,),
        linked={"003A": 5},
        identities={5: [Identity(5, SOURCE, "003A"), Identity(5, "csv:crm", "row-1")]},
    )

    assert changes.unlinks == ["003A"]
    assert changes.updates[5]["deleted_in_source"] is True
    assert [note.code for note in changes.notes] == [Code.DELETED]


@pytest.mark.parametrize(
    ("also_linked", "rereads"),
    [
        ([Identity(5, "salesforce:Lead", "00QA")], [("salesforce:Lead", "00QA")]),
        ([Identity(5, "salesforce:Lead", "00QA"), Identity(5, SOURCE, "003B")], []),
    ],
)
def test_a_deleted_contact_has_its_persons_lead_read_again_unless_another_contact_stays(
    also_linked: list[Identity], rereads: list[tuple[str, str]]
) -> None:
    changes = decide(
        read(IsDeleted=True),
        contacts=(stored(5, last_name="Ito"),),
        linked={"003A": 5},
        identities={5: [Identity(5, SOURCE, "003A"), *also_linked]},
    )

    assert (changes.unlinks, changes.rereads) == (["003A"], rereads)
    assert 5 not in changes.updates  # still linked to a Salesforce record: not marked


def test_update_only_skips_a_new_person_with_a_note() -> None:
    update_only = Target(1, SOURCE, 7, "US", FIELDS, update_only=True)
    changes = decide(read(LastName="Stranger"), target=update_only)

    assert (changes.creates, changes.tally.skipped) == ([], 1)
    assert [note.code for note in changes.notes] == [Code.UPDATE_ONLY]


@pytest.mark.parametrize(
    ("contacts_pulled", "rereads"), [(True, [("salesforce:Contact", "003B")]), (False, [])]
)
def test_a_converted_leads_contact_is_read_again_by_the_contact_stream_when_there_is_one(
    contacts_pulled: bool, rereads: list[tuple[str, str]]
) -> None:
    """The Lead stream cannot see whether the service's rule admits the Contact."""
    lead_target = Target(1, "salesforce:Lead", 7, "US", FIELDS, contacts_pulled=contacts_pulled)
    view = StoreView({"00QA": 5}, {5: stored(5)}, {5: [Identity(5, "salesforce:Lead", "00QA")]})

    changes = decide_page(
        [read(Id="00QA", IsConverted=True, ConvertedContactId="003B")], view, lead_target
    )

    assert [(i.contact_id, i.source, i.external_id) for i in changes.links] == [
        (5, "salesforce:Contact", "003B")
    ]
    assert changes.rereads == rereads


def test_a_lead_converted_into_a_contact_another_contact_stands_for_merges_the_two() -> None:
    lead_target = Target(1, "salesforce:Lead", 7, "US", FIELDS)
    leads_contact = stored(5, last_name="Lee", city="Lyon", custom={"tier": "gold"})
    contacts_contact = stored(9, last_name="Lee", city=None, phone="+12015550101")
    view = StoreView(
        {"00QA": 5},
        {5: leads_contact, 9: contacts_contact},
        {5: [Identity(5, "salesforce:Lead", "00QA")]},
        converted={"003B": 9},
    )

    changes = decide_page(
        [read(Id="00QA", IsConverted=True, ConvertedContactId="003B")], view, lead_target
    )

    assert changes.merges == [(9, 5)]  # into the older contact, whichever record made it
    assert (changes.updates[5]["city"], changes.updates[5]["phone"]) == ("Lyon", "+12015550101")
    assert changes.updates[5]["custom"] == {"tier": "gold"}
    assert 9 not in changes.updates
    assert ([n.code for n in changes.notes], changes.tally.updated) == ([Code.MERGED], 1)


def test_a_lead_whose_contact_is_another_contacts_converted_into_a_new_one_merges_nothing() -> None:
    lead_target = Target(1, "salesforce:Lead", 7, "US", FIELDS)
    view = StoreView(
        {"00QA": 5},
        {5: stored(5, last_name="Lee"), 9: stored(9, last_name="Lee")},
        {5: [Identity(5, "salesforce:Lead", "00QA"), Identity(5, "salesforce:Contact", "003A")]},
        converted={"003B": 9},
    )

    changes = decide_page(
        [read(Id="00QA", IsConverted=True, ConvertedContactId="003B")], view, lead_target
    )

    assert (changes.unlinks, changes.links, changes.merges, changes.updates) == (
        ["00QA"],
        [],
        [],
        {},
    )
    [note] = changes.notes
    assert note.code is Code.CONVERTED_INTO_DUPLICATE
    assert "into Contact 003B (contact #9) while its contact #5 stands for Contact 003A" in (
        note.message
    )


def test_a_new_duplicate_read_with_its_twin_is_not_matched_to_the_twins_contact() -> None:
    twin = stored(5, last_name="Ames", email="ana@ames.com", email_normalized="ana@ames.com")
    changes = decide(
        read(Id="003A", LastName="Ames", Email="ana@ames.com", Title="CTO"),
        read(Id="003B", LastName="Ames-Dup", Email="ana@ames.com"),
        contacts=(twin,),
        linked={"003A": 5},
    )

    assert [sid for _, sid in changes.creates] == ["003B"]
    assert changes.links == []
    assert changes.updates[5]["last_name"] == "Ames"


def test_a_keyed_record_holds_each_value_in_the_field_it_is_named_by() -> None:
    """`keyed` builds its tuples positionally, for speed: they equal the ones named fields make."""
    record = read(LastName="Lee", Phone="(415) 555-0100", Email="Lee@Example.com")

    assert record == Incoming(
        "003A",
        STAMP,
        values=record.values,
        keys={"phone": "+14155550100", "email": "lee@example.com"},
        keyed_as=MatchKeys("003A", ("+14155550100",), email="lee@example.com"),
    )
    assert (record.deleted, record.converted_to, record.left_scope, record.notes) == (
        False,
        None,
        False,
        (),
    )
