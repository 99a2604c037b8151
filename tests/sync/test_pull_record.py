"""Reading one record for a service, as pure functions: converted, keyed for matching, or
refused, without a store or a server."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.mapping.describe import Catalog
from forcebridge.mapping.model import Mapping
from forcebridge.mapping.rules import CompiledMapping, compile_pull
from forcebridge.sandbox.describe import describe_object
from forcebridge.sync.matching import MatchKeys
from forcebridge.sync.pull_record import (
    Incoming,
    ReadPage,
    ToldByPulls,
    UnreadableRecord,
    match_keys,
    read_record,
)
from forcebridge.sync.pull_report import Code
from forcebridge.sync.watermark import START, Cursor
from tests.sync.record_reading import COMPILED, FIELDS, SCHEMA, STAMP, TARGET, read


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


CATALOG = Catalog.of(*(describe_object(SCHEMA, obj, "62.0") for obj in SCHEMA.objects))
WATERMARK = Cursor(STAMP, frozenset({"003A"}))
"""A pull applied every record stamped before `STAMP`, and 003A stamped at it."""


def reread(
    cursor: Cursor,
    stamp: dt.datetime,
    compiled: CompiledMapping = COMPILED,
    calculated: tuple[str, ...] = (),
    record_id: str = "003A",
    **record: Any,
) -> list[tuple[Code, str | None]]:
    """The notes of a record a reconciliation reads again, as `(code, field)`."""
    page = ReadPage(told=ToldByPulls.of(cursor, compiled, calculated))
    page.read({"Id": record_id, **record}, stamp, compiled, TARGET)
    [incoming] = page.incoming
    return [(note.code, note.field) for note in incoming.notes]


BAD = {"Phone": "12", "Email": "not an email", "Title": "t" * 300}
EVERY_NOTE = [
    (Code.TRUNCATED, "Title"),
    (Code.INVALID_PHONE, "Phone"),
    (Code.INVALID_EMAIL, "Email"),
]


def test_a_reconciliation_leaves_out_the_notes_a_pull_logged_of_an_unchanged_record() -> None:
    earlier = STAMP - dt.timedelta(seconds=1)

    assert reread(WATERMARK, earlier, **BAD) == []
    assert reread(WATERMARK, STAMP, **BAD) == []  # 003A, applied at the watermark's instant


def test_a_record_no_pull_applied_yet_has_its_notes_logged() -> None:
    later = STAMP + dt.timedelta(seconds=1)

    assert reread(WATERMARK, later, **BAD) == EVERY_NOTE
    assert reread(WATERMARK, STAMP, record_id="003B", **BAD) == EVERY_NOTE
    assert reread(START, STAMP, **BAD) == EVERY_NOTE  # a stream no pull has read


def test_a_value_a_parent_or_formula_may_give_or_displace_has_its_notes_logged() -> None:
    """`Account.Phone` changes without the Contact's stamp: so may which row of the phone's
    hierarchy wins, and what it reads. The mobile reads the record's own field alone."""
    compiled = compile_pull(
        Mapping.of(("Account.Phone", "phone"), ("Phone", "phone"), ("MobilePhone", "mobile_phone")),
        CATALOG,
        "Contact",
        FIELDS,
    )
    earlier = STAMP - dt.timedelta(seconds=1)
    record = {"Account": {"Phone": None}, "Phone": "12", "MobilePhone": "13"}

    notes = reread(WATERMARK, earlier, compiled, ("Account.Phone",), **record)

    assert notes == [(Code.INVALID_PHONE, "Phone")]


def test_a_value_that_no_longer_converts_is_logged_at_every_read() -> None:
    """A field's type changed in Salesforce moves no record's stamp."""
    compiled = compile_pull(Mapping.of(("Birthdate", "title")), CATALOG, "Contact", FIELDS)

    notes = reread(WATERMARK, STAMP, compiled, Birthdate="the 45th")

    assert notes == [(Code.CONVERSION_FAILED, "Birthdate")]
