"""Reading prospects from a CSV file: every good row kept, every bad one named with its field.

Rows are numbered as a spreadsheet shows them (the header is row 1), so "row 7" is where the
user looks. Header names are read as every CSV reader reads them (`column_names`: `First Name`
is `first_name`, `E-mail` is `email`), records as `csv_records` does. A row fails, with each
problem named, when it cannot be split into the header's columns, holds a value under a column
that is not a prospect field (which would otherwise be lost without a word; the column named
as one, `column 'Company'`, so it is not taken for the Salesforce field of that name), an email
that is not an email, a number that is not one (ASCII digits only, no exponent), text too long
to keep, or a NUL character (which no database keeps, and removing it would change the value
unsaid). Rows with nothing in them are passed over. Only a file that cannot be read at all
raises `ProspectFileError`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Numeric, String

from forcebridge.mapping.defaults import default_export_mapping
from forcebridge.mapping.prospect_fields import PROSPECT_FIELDS
from forcebridge.store.models import Prospect
from forcebridge.sync.column_names import column_name, did_you_mean, letters, named_twice
from forcebridge.sync.csv_delimiter import delimiter_of
from forcebridge.sync.csv_records import (
    UnreadableRow,
    email_problem,
    is_blank,
    records,
    row_cells,
)
from forcebridge.sync.export_errors import ProspectFileError
from forcebridge.sync.export_model import INVALID_VALUE, ExportObject, FieldError

PROSPECT_COLUMNS = PROSPECT_FIELDS.names
_INT32 = 2**31


@dataclass(frozen=True)
class ProspectRow:
    """One CSV row: its spreadsheet row number, typed values, and what is wrong with it."""

    row: int
    values: dict[str, Any]
    errors: tuple[FieldError, ...] = ()


class _Refused(ValueError):
    pass


def read_prospect_file(path: Path) -> list[ProspectRow]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProspectFileError(
            f"{path} is not UTF-8 text (byte {error.start}): save it as CSV UTF-8"
        ) from None
    except OSError as error:
        raise ProspectFileError(f"cannot read {path}: {error.strerror}") from None
    return read_prospect_csv(text)


def read_prospect_csv(text: str) -> list[ProspectRow]:
    """Every non-blank row of `text`, in order; commas or semicolons separate the columns
    (`delimiter_of`)."""
    rows_read = records(io.StringIO(text, newline=""), delimiter_of(text.split("\n", 1)[0]))
    first = next(rows_read, None)
    if first is None or isinstance(first[1], csv.Error) or is_blank(first[1]):
        raise ProspectFileError(
            "the file has no header row: its first row must name the prospect columns "
            f"({', '.join(PROSPECT_COLUMNS)})"
        )
    header = _header(first[1])
    rows = []
    for number, record in rows_read:
        if is_blank(record):
            continue
        try:
            rows.append(prospect_row(number, header, row_cells(record, len(header))))
        except UnreadableRow as unreadable:
            problem = FieldError(None, str(unreadable), INVALID_VALUE)
            rows.append(ProspectRow(number, {}, (problem,)))
    return rows


def _header(cells: list[str]) -> list[str]:
    """The prospect column each header cell names (`column_names`: `First Name`, `E-mail`,
    `companywebsite`); another cell as the file writes it, so its errors name what the user
    sees."""
    names = [column_name(cell, PROSPECT_COLUMNS) for cell in cells]
    if twice := named_twice(cells, names):
        raise ProspectFileError(twice)
    return names


def prospect_row(number: int, header: list[str], cells: list[str]) -> ProspectRow:
    """Row `number` of the values `cells` gives under the columns `header` names (a CSV
    file's, or the keys of a prospect sent to the REST API, `prospect_records`): each value
    parsed as its column keeps it, every problem named with its column."""
    values: dict[str, Any] = {}
    errors = []
    for column, (name, cell) in enumerate(zip(header, cells, strict=True), start=1):
        raw = cell.strip()
        if not raw:
            continue
        parse = _PARSERS.get(name)
        if parse is None:
            where = f"column {name!r}" if name else f"column {column}"
            errors.append(FieldError(where, _unknown(name), INVALID_VALUE))
            continue
        try:
            values[name] = parse(_without_nul(raw))
        except _Refused as refused:
            errors.append(FieldError(name, f"{_shown(raw)} {refused}", INVALID_VALUE))
    return ProspectRow(number, values, tuple(errors))


def _without_nul(raw: str) -> str:
    """`raw`, refused when it holds a NUL character: PostgreSQL keeps none, Salesforce's
    fields are not meant to, and no person typed one, but taking it out would change the value
    without a word."""
    if "\x00" in raw:
        raise _Refused("holds a NUL character (U+0000), which no field can keep: remove it")
    return raw


def _unknown(name: str) -> str:
    """Why a value under a column that is not a prospect's fails, with the column it may be
    a misspelling of, or the one a Salesforce field of that name is filled from."""
    return (
        f"is not a prospect column{did_you_mean(name, PROSPECT_COLUMNS, _SALESFORCE_NAMES)}, "
        f"so its value would be lost; prospect columns are: {', '.join(PROSPECT_COLUMNS)}"
    )


def _salesforce_names() -> dict[str, str]:
    """The prospect column each Salesforce field of the default export mappings is filled from
    (the first of a hierarchy), by the field's letters: a file a Salesforce export (or a
    report) made heads its columns `Company`, `Title`, `Website`, `NumberOfEmployees`, which
    are no misspelling of `company_name`, `job_title`, `company_website`, `employees`. An
    Account's `Name` is `Account Name` there: a `Name` column may as well be a person's."""
    names: dict[str, str] = {}
    for sobject in ExportObject:
        for row in default_export_mapping(sobject).rows:
            account_name = (sobject, row.target) == (ExportObject.ACCOUNT, "Name")
            names.setdefault(letters("Account Name" if account_name else row.target), row.source)
    return names


def _shown(raw: str, limit: int = 40) -> str:
    return repr(raw if len(raw) <= limit else raw[: limit - 3] + "...")


# --- one parser per column, following the store's column types --------------------------------


def _text(length: int) -> Callable[[str], str]:
    def text(raw: str) -> str:
        if len(raw) > length:
            raise _Refused(f"has {len(raw):,} characters; at most {length:,} can be kept")
        return raw

    return text


def _email(length: int) -> Callable[[str], str]:
    text = _text(length)

    def email(raw: str) -> str:
        if problem := email_problem(raw):
            raise _Refused(problem)
        return text(raw)

    return email


_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
"""A number as a person writes it: ASCII digits, a sign, a decimal point (12, -0.5, .5)."""
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
"""A number whose commas separate thousands: 1,234 and 12,345,678.90, never 2,5 or 1,2,3."""
_EXPONENT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")


def _number(raw: str) -> Decimal:
    """A number as a spreadsheet exports it: ASCII digits, a sign, a decimal point, commas
    between thousands. Any other comma (a decimal comma, `2,5`) is refused rather than guessed
    at: read as a separator it would send 25, or `1.234,56` as 1. So is exponent notation
    (`1e2`), which in a CSV is mostly a long number a spreadsheet mangled (`1.23457E+11`), and
    what Python alone reads as a number: `1_000`, full-width or Arabic-Indic digits,
    `Infinity`."""
    if "," in raw:
        if not _GROUPED.fullmatch(raw):
            raise _Refused("is not a number: a comma may only separate thousands (1,234.5)")
        raw = raw.replace(",", "")
    if _EXPONENT.fullmatch(raw):
        raise _Refused(
            "is not a number: exponent notation is not read (a spreadsheet writes it for a long "
            "number in a column not formatted as one); write the number's digits"
        )
    if not _PLAIN.fullmatch(raw):
        raise _Refused("is not a number: write it with the digits 0-9 (-1,234.5)")
    return Decimal(raw)


def _whole(name: str) -> Callable[[str], int]:
    """A whole number, as the prospect's column keeps it whatever the mapping (so its refusal
    names the column, not a Salesforce field)."""

    def whole(raw: str) -> int:
        number = _number(raw)
        if number != number.to_integral_value():
            raise _Refused(f"is not a whole number; a prospect's {name} can only be one")
        if abs(number) >= _INT32:
            raise _Refused(f"is too large: a whole number here is at most {_INT32 - 1:,}")
        return int(number)

    return whole


def _decimal(precision: int, scale: int) -> Callable[[str], Decimal]:
    def decimal(raw: str) -> Decimal:
        number = _number(raw)
        if number.adjusted() >= precision - scale:
            raise _Refused(f"has more than the {precision - scale} whole digits that can be kept")
        return number

    return decimal


def _parser(name: str) -> Callable[[str], Any]:
    column_type = Prospect.__table__.c[name].type
    if isinstance(column_type, Numeric) and not isinstance(column_type, Integer):
        return _decimal(column_type.precision or 18, column_type.scale or 0)
    if isinstance(column_type, Integer):
        return _whole(name)
    assert isinstance(column_type, String) and column_type.length is not None
    return _email(column_type.length) if name == "email" else _text(column_type.length)


_PARSERS = {name: _parser(name) for name in PROSPECT_COLUMNS}
_SALESFORCE_NAMES = _salesforce_names()
