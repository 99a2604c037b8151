"""A page's decisions as pure functions: records read (`tests.sync.record_reading`), then
decided against what the store holds, without a store or a server."""

from __future__ import annotations

from typing import Any

import pytest

from forcebridge.store.repositories.contacts import Identity, StoredContact
from forcebridge.sync.contact_values import EMPTY_CONTACT
from forcebridge.sync.pull_page import PageChanges, StoreView, decide_page
from forcebridge.sync.pull_record import Incoming, Target
from forcebridge.sync.pull_report import Code
from tests.sync.record_reading import FIELDS, SOURCE, STAMP, TARGET, read


def stored(contact_id: int, **values: Any) -> StoredContact:
    return StoredContact(contact_id, {**EMPTY_CONTACT, **values})


def decide(
    *records: Incoming,
    contacts: tuple[StoredContact, ...] = (),
    linked: dict[str, int] | None = None,
    identities: dict[int, list[Identity]] | None = None,
    target: Target = TARGET,
    formerly: dict[str, int] | None = None,
) -> PageChanges:
    view = StoreView(
        linked or {}, {c.id: c for c in contacts}, identities or {}, formerly=formerly or {}
    )
    return decide_page(records, view, target)


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
    assert changes.left == {"003A": 5}  # remembered, should the record come back
    assert changes.updates[5]["deleted_in_source"] is True
    assert [note.code for note in changes.notes] == [Code.DELETED]


def test_a_record_back_is_linked_again_to_its_marked_contact_which_is_no_longer_marked() -> None:
    """Undeleted in Salesforce, or admitted again by a widened routing rule: no phone or
    email to match it by, but it is the person it was."""
    marked = stored(5, last_name="Ito", deleted_in_source=True)
    changes = decide(read(LastName="Ito"), contacts=(marked,), formerly={"003A": 5})

    assert (changes.creates, changes.links) == ([], [Identity(5, SOURCE, "003A", 7)])
    assert changes.updates[5]["deleted_in_source"] is False
    assert (changes.back, changes.tally.updated) == (["003A"], 1)
    [note] = changes.notes
    assert (note.code, note.record_id) == (Code.RELINKED, "003A")
    assert "linked again to contact #5, the contact it was linked to before" in note.message


def test_a_record_back_whose_contact_another_record_holds_now_gets_a_contact_of_its_own() -> None:
    """Its contact went to another Contact meanwhile (one sharing its phone, say): two
    records of the source are never one contact. Its former link goes, as it is linked."""
    taken = stored(5, last_name="Ito")
    changes = decide(
        read(LastName="Ito"),
        contacts=(taken,),
        identities={5: [Identity(5, SOURCE, "003Z")]},
        formerly={"003A": 5},
    )

    assert ([sid for _, sid in changes.creates], changes.links) == (["003A"], [])
    assert (changes.back, changes.updates, changes.notes) == (["003A"], {}, [])


def test_a_converted_lead_unlinked_is_not_remembered_as_it_never_comes_back() -> None:
    lead_target = Target(1, "salesforce:Lead", 7, "US", FIELDS)
    view = StoreView({"00QA": 5}, {5: stored(5)}, {5: [Identity(5, "salesforce:Lead", "00QA")]})

    changes = decide_page(
        [read(Id="00QA", IsConverted=True, ConvertedContactId="003B")], view, lead_target
    )

    assert (changes.unlinks, changes.left) == (["00QA"], {})


def test_deleted_records_never_linked_are_read_and_skipped_without_a_note_each() -> None:
    """A first pull reads the recycle bin through queryAll: nothing to do for those records,
    so they count as skipped (the counts still add up to `read`); a run logs one for all
    (`never_linked_note`), not one each."""
    changes = decide(
        read(IsDeleted=True),
        read(Id="003B", IsDeleted=True),
        read(Id="003C", LastName="Ito"),
    )

    tally = changes.tally
    assert (tally.read, tally.created, tally.unchanged, tally.skipped) == (3, 1, 0, 2)
    assert tally.read == tally.created + tally.updated + tally.unchanged + tally.skipped
    assert (changes.never_linked, changes.unlinks, changes.notes) == (["003A", "003B"], [], [])


def test_a_record_outside_the_rule_never_linked_is_not_counted_at_all() -> None:
    """Not among the service's records (a group's shared read routes it elsewhere)."""
    changes = decide(Incoming("003A", STAMP, deleted=True, left_scope=True))

    assert (changes.tally.read, changes.never_linked, changes.notes) == (0, [], [])


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
