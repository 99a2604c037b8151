"""Prospects sent as JSON objects read as CSV rows are: the same parsers and errors, numbered
by position from 1."""

from __future__ import annotations

from decimal import Decimal

from forcebridge.sync.prospect_records import NO_VALUES, read_prospect_records


def test_each_prospect_is_read_as_a_csv_row_numbered_from_one() -> None:
    rows = read_prospect_records(
        [
            {"first_name": " Ada ", "employees": 12.0, "revenue": 2500000.5, "email": None},
            {"email": "bob@", "compnay_name": "Acme", "city": ""},
            {"state": True, "unknown": None},
            {"whatever": ""},
        ]
    )

    assert [row.row for row in rows] == [1, 2, 3, 4]
    assert rows[0].values == {"first_name": "Ada", "employees": 12, "revenue": Decimal("2500000.5")}
    assert rows[0].errors == ()
    assert [(e.field, e.message[:30]) for e in rows[1].errors] == [
        ("email", "'bob@' is not an email address"),
        ("column 'compnay_name'", "is not a prospect column (did "),
    ]
    assert [(e.field, e.message) for e in rows[2].errors] == [
        ("state", "must be a string or a number, not a boolean")
    ]
    assert [(e.field, e.message) for e in rows[3].errors] == [(None, NO_VALUES)]


def test_a_large_number_reads_as_its_digits_not_in_exponent_notation() -> None:
    (row,) = read_prospect_records([{"revenue": 1e20, "employees": 1e3}])

    assert row.values == {"employees": 1000}
    assert [(e.field, e.message) for e in row.errors] == [
        ("revenue", "'100000000000000000000' has more than the 16 whole digits that can be kept")
    ]
