"""Number fields keep their values exactly, to every digit their precision (18) and scale allow,
as Salesforce keeps them: over REST (JSON numbers and texts) and Bulk API 2.0 (CSV) alike,
compared, ordered and added up by SOQL as numbers. Driven through simple-salesforce, told to
read JSON numbers as Decimals (`parse_float=Decimal`) so that the client loses no digit either."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from forcebridge.sandbox.clients import API_VERSION, trusting_session
from forcebridge.sandbox.server import SandboxServer

WHOLE = {"type": "Number", "label": "Whole", "precision": 18, "scale": 0}
FRACTION = {"type": "Number", "label": "Fraction", "precision": 18, "scale": 6}
BIG = "999999999999999999"
"""18 digits: more than a binary float holds (it reads 1e18, 19 digits)."""
PRECISE = "123456789012.123456"
"""18 significant digits (12 + 6): a binary float keeps 17 (123456789012.12346)."""


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture(scope="module")
def exact(sandbox: SandboxServer) -> Salesforce:
    """simple-salesforce reading JSON numbers as Decimals, on an org whose Contacts have a
    Number(18,0) `Whole__c` and a Number(18,6) `Fraction__c`."""
    sf = Salesforce(
        instance_url=sandbox.base_url,
        session_id=sandbox.access_token(),
        session=trusting_session(sandbox.ca_file),
        version=API_VERSION,
        parse_float=Decimal,
    )
    for name, metadata in (("Whole__c", WHOLE), ("Fraction__c", FRACTION)):
        sf.toolingexecute(
            "sobjects/CustomField",
            method="POST",
            data={"FullName": f"Contact.{name}", "Metadata": metadata},
        )
    return sf


def contact(sf: Salesforce, name: str, **values: Any) -> str:
    return str(sf.Contact.create({"LastName": name, **values})["id"])


def numbers(sf: Salesforce, record_id: str) -> tuple[Any, Any]:
    record = sf.restful(f"sobjects/Contact/{record_id}")
    return record["Whole__c"], record["Fraction__c"]


def bulk_numbers(sf: Salesforce, where: str) -> list[tuple[str, str]]:
    [text] = sf.bulk2.Contact.query(
        f"SELECT Whole__c, Fraction__c FROM Contact WHERE {where} ORDER BY LastName"
    )
    return [(row["Whole__c"], row["Fraction__c"]) for row in rows(text)]


def test_18_digits_read_back_exactly_over_rest_soql_and_bulk_query(exact: Salesforce) -> None:
    record_id = contact(exact, "Exact")

    exact.Contact.update(record_id, {"Whole__c": BIG, "Fraction__c": PRECISE})

    assert numbers(exact, record_id) == (Decimal(BIG), Decimal(PRECISE))
    [queried] = exact.query("SELECT Whole__c, Fraction__c FROM Contact WHERE LastName = 'Exact'")[
        "records"
    ]
    assert (queried["Whole__c"], queried["Fraction__c"]) == (Decimal(BIG), Decimal(PRECISE))
    assert bulk_numbers(exact, "LastName = 'Exact'") == [(BIG, PRECISE)]


def test_a_json_number_keeps_every_digit_it_was_written_with(exact: Salesforce) -> None:
    record_id = contact(exact, "Json")

    exact.restful(
        f"sobjects/Contact/{record_id}",
        method="PATCH",
        data=f'{{"Whole__c": {BIG}, "Fraction__c": {PRECISE}}}',
    )

    assert numbers(exact, record_id) == (Decimal(BIG), Decimal(PRECISE))


def test_a_value_is_rounded_half_up_to_the_scale_on_save(exact: Salesforce) -> None:
    up = contact(exact, "Rounded", Whole__c="2.5", Fraction__c="0.0000005")
    down = contact(exact, "Rounded", Whole__c=-2.5, Fraction__c="-1.0000004")

    assert numbers(exact, up) == (3, Decimal("0.000001"))
    assert numbers(exact, down) == (-3, Decimal("-1"))


def test_soql_filters_orders_and_adds_up_18_digit_values_as_numbers(exact: Salesforce) -> None:
    for n in (7, 5, 6):
        contact(
            exact,
            f"Order{n}",
            Whole__c=f"99999999999999999{n}",
            Fraction__c=f"123456789012.12345{n}",
        )

    def names(soql: str) -> list[str]:
        return [r["LastName"] for r in exact.query(soql)["records"]]

    mine = "LastName LIKE 'Order%'"
    assert names("SELECT LastName FROM Contact WHERE Whole__c = 999999999999999996") == ["Order6"]
    assert names(
        f"SELECT LastName FROM Contact WHERE {mine} AND Fraction__c > 123456789012.123455 "
        "ORDER BY Fraction__c DESC"
    ) == ["Order7", "Order6"]
    assert names(
        f"SELECT LastName FROM Contact WHERE {mine} AND Whole__c IN (999999999999999995, 1) "
        "ORDER BY Whole__c"
    ) == ["Order5"]
    assert names(f"SELECT LastName FROM Contact WHERE {mine} ORDER BY Whole__c") == [
        "Order5",
        "Order6",
        "Order7",
    ]
    [totals] = exact.query(
        f"SELECT SUM(Whole__c) total, MIN(Fraction__c) low, MAX(Fraction__c) high, "
        f"AVG(Fraction__c) middle FROM Contact WHERE {mine}"
    )["records"]
    assert (totals["total"], totals["low"], totals["high"], totals["middle"]) == (
        Decimal("2999999999999999988"),
        Decimal("123456789012.123455"),
        Decimal("123456789012.123457"),
        Decimal(PRECISE),
    )
    grouped = exact.query(
        f"SELECT LastName, SUM(Fraction__c) amount FROM Contact WHERE {mine} GROUP BY LastName "
        "HAVING SUM(Fraction__c) >= 123456789012.123456 ORDER BY SUM(Fraction__c) DESC"
    )["records"]
    assert [(g["LastName"], g["amount"]) for g in grouped] == [
        ("Order7", Decimal("123456789012.123457")),
        ("Order6", Decimal(PRECISE)),
    ]
    assert bulk_numbers(exact, f"{mine} AND Whole__c > 999999999999999995") == [
        ("999999999999999996", "123456789012.123456"),
        ("999999999999999997", "123456789012.123457"),
    ]


def test_bulk_ingest_takes_the_values_rest_takes(exact: Salesforce) -> None:
    record_id = contact(exact, "Bulk")

    [updated] = exact.bulk2.Contact.update(
        records=[{"Id": record_id, "Whole__c": BIG, "Fraction__c": PRECISE}], wait=0.1
    )
    [inserted] = exact.bulk2.Contact.insert(
        records=[{"LastName": "BulkNew", "Whole__c": BIG, "Fraction__c": PRECISE}], wait=0.1
    )

    assert (updated["numberRecordsFailed"], inserted["numberRecordsFailed"]) == (0, 0)
    assert numbers(exact, record_id) == (Decimal(BIG), Decimal(PRECISE))
    assert bulk_numbers(exact, "LastName LIKE 'Bulk%'") == [(BIG, PRECISE), (BIG, PRECISE)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Whole__c", "1000000000000000000"),
        ("Fraction__c", "1234567890123"),
        ("Fraction__c", "999999999999.9999995"),
    ],
    ids=["19 digits", "13 whole digits of 12", "rounded up to 13"],
)
def test_too_many_whole_digits_are_refused_by_rest_and_bulk_alike(
    exact: Salesforce, field: str, value: str
) -> None:
    record_id = contact(exact, "Range")

    with pytest.raises(SalesforceMalformedRequest) as refused:
        exact.Contact.update(record_id, {field: value})
    [report] = exact.bulk2.Contact.update(records=[{"Id": record_id, field: value}], wait=0.1)

    (error,) = refused.value.content
    assert (error["errorCode"], error["fields"]) == ("NUMBER_OUTSIDE_VALID_RANGE", [field])
    [failed] = rows(exact.bulk2.Contact.get_failed_records(report["job_id"]))
    label = "Whole" if field == "Whole__c" else "Fraction"
    assert failed["sf__Error"] == (
        f"NUMBER_OUTSIDE_VALID_RANGE:{label}: value outside of valid range on numeric field: "
        f"{value}:{field} --"
    )
    assert numbers(exact, record_id) == (None, None)


def test_a_number_changed_to_text_keeps_its_plain_digits(exact: Salesforce) -> None:
    answer = exact.toolingexecute(
        "sobjects/CustomField",
        method="POST",
        data={"FullName": "Contact.Retyped__c", "Metadata": WHOLE | {"label": "Retyped"}},
    )
    for name, value in (("RetypedBig", "123456789012345678"), ("RetypedZero", "0")):
        contact(exact, name, Retyped__c=value)

    exact.toolingexecute(
        f"sobjects/CustomField/{answer['id']}",
        method="PATCH",
        data={"Metadata": {"type": "Text", "label": "Retyped", "length": 40}},
    )

    records = exact.query(
        "SELECT LastName, Retyped__c FROM Contact WHERE LastName LIKE 'Retyped%' ORDER BY LastName"
    )["records"]
    assert [(r["LastName"], r["Retyped__c"]) for r in records] == [
        ("RetypedBig", "123456789012345678"),
        ("RetypedZero", "0"),
    ]
