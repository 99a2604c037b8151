from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forcebridge.sandbox.org import Org
from forcebridge.sandbox.records import prepare
from forcebridge.sandbox.seed import seed
from tests.sandbox.clocks import Clock


def _seeded(folder: Path, seed_value: int) -> Org:
    org = Org(folder, clock=Clock())
    seed(org, contacts=600, leads=200, accounts=40, seed=seed_value)
    return org


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    org = _seeded(tmp_path_factory.mktemp("seeded"), 7)
    yield org
    org.close()


def _all(org: Org, sobject: str) -> list[dict[str, Any]]:
    page = org.query(f"SELECT FIELDS(STANDARD) FROM {sobject} ORDER BY Id")
    records: list[dict[str, Any]] = page["records"]
    while not page["done"]:
        page = org.query_more(page["nextRecordsUrl"])
        records += page["records"]
    return records


def test_the_same_seed_gives_the_same_records(seeded: Org, tmp_path: Path) -> None:
    again = _seeded(tmp_path / "again", 7)
    other = _seeded(tmp_path / "other", 8)
    for sobject in ("Account", "Contact", "Lead"):
        assert _all(again, sobject) == _all(seeded, sobject)
    assert _all(other, "Contact") != _all(seeded, "Contact")
    again.close()
    other.close()


def test_counts_are_what_was_asked(seeded: Org) -> None:
    for sobject, expected in (("Account", 40), ("Contact", 600), ("Lead", 200)):
        assert seeded.query(f"SELECT COUNT() FROM {sobject}")["totalSize"] == expected


def test_seeded_records_are_ones_the_api_would_accept(seeded: Org) -> None:
    for sobject in ("Account", "Contact", "Lead"):
        obj = seeded.schema.get(sobject)
        assert obj is not None
        for record in _all(seeded, sobject):
            values = {
                k: v
                for k, v in record.items()
                if (f := obj.field(k)) is not None and f.createable and k != "attributes"
            }
            prepare(seeded.schema, obj, values, creating=True)


def test_the_data_is_messy_in_the_ways_real_crms_are(seeded: Org) -> None:
    contacts = _all(seeded, "Contact")
    leads = _all(seeded, "Lead")
    phones = [c["Phone"] for c in contacts if c["Phone"]]
    assert any(c["Phone"] is None for c in contacts) and any(c["Email"] is None for c in contacts)
    for pattern in (r"^\+44 ", r"^0049 ", r"^\(\d{3}\) 555-"):
        assert any(re.match(pattern, p) for p in phones), pattern
    assert any(len(c["Description"] or "") > 255 for c in contacts)
    assert any(not (c["LastName"] + (c["FirstName"] or "")).isascii() for c in contacts)
    names = Counter((c["FirstName"], c["LastName"]) for c in contacts)
    assert any(count > 1 for count in names.values())
    contact_emails = {c["Email"] for c in contacts if c["Email"]}
    assert any(lead["Email"] in contact_emails for lead in leads)
    accounts = Counter(c["AccountId"] for c in contacts if c["AccountId"])
    assert max(accounts.values()) > 5


def test_some_leads_are_already_converted_into_seeded_contacts(seeded: Org) -> None:
    converted = seeded.query(
        "SELECT ConvertedContactId, ConvertedDate, Status FROM Lead WHERE IsConverted = true"
    )["records"]
    assert converted
    contact_ids = {c["Id"] for c in _all(seeded, "Contact")}
    for lead in converted:
        assert lead["ConvertedContactId"] in contact_ids
        assert lead["Status"] == "Closed - Converted" and lead["ConvertedDate"]


def test_checkboxes_no_one_may_write_are_false_not_null(seeded: Org) -> None:
    for sobject, checkbox, count in (
        ("Account", "IsPartner", 40),
        ("Account", "IsCustomerPortal", 40),
        ("Contact", "IsEmailBounced", 600),
    ):
        query = f"SELECT COUNT() FROM {sobject} WHERE {checkbox} = false"
        assert seeded.query(query)["totalSize"] == count


def test_audit_dates_spread_over_past_months_and_the_modstamp_is_the_loads(seeded: Org) -> None:
    stamps = sorted(dt.datetime.fromisoformat(c["CreatedDate"]) for c in _all(seeded, "Contact"))
    assert stamps[-1] - stamps[0] > dt.timedelta(days=90)
    assert stamps[-1] <= Clock().now
    recent = seeded.query("SELECT COUNT() FROM Contact WHERE LastModifiedDate = LAST_N_DAYS:7")
    assert 0 < recent["totalSize"] < 600
    loaded = seeded.query("SELECT COUNT() FROM Contact WHERE SystemModstamp = LAST_N_DAYS:1")
    assert loaded["totalSize"] == 600  # Salesforce stamps a load when it is written
