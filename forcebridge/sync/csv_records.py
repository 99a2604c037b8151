"""A CSV file's records and values as the readers that store them (prospects for `export`,
`contacts import`) take them: numbered as a spreadsheet shows them, quoting read strictly so
that a quote left open fails its row instead of taking in the rest of the file as one value,
a row that does not split into the header's columns failed rather than guessed at, and an
email checked by one rule."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from email_validator import EmailNotValidError, validate_email


def records(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """Each record with its row number as a spreadsheet shows it (the header is row 1, a value
    holding a line break keeps its record one row); a record CSV cannot read comes as its
    error, and reading goes on with the next line. `lines` is read as it goes (an open file
    opened with `newline=""`), so a large file is never held whole."""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    number = 0
    while True:
        number += 1
        try:
            yield number, next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield number, error


def is_blank(cells: list[str] | csv.Error) -> bool:
    """Whether a record has nothing in it (a blank line, or only separators, as spreadsheets
    leave below the data): no row at all, passed over whatever its width."""
    return not isinstance(cells, csv.Error) and not any(cell.strip() for cell in cells)


class UnreadableRow(ValueError):
    """A record that cannot be read as a row of the header's columns; the message is said of
    the row (`has 3 values but the header names 2 columns`)."""


def row_cells(record: list[str] | csv.Error, width: int) -> list[str]:
    """A record's cells, one per column of a header `width` columns wide; `UnreadableRow` when
    CSV cannot read it or it splits into another number of values, whose columns would be
    guessed at."""
    if isinstance(record, csv.Error):
        raise UnreadableRow(
            f"is not valid CSV ({record}): a value holding the separator, a quote or a line "
            'break is quoted whole, each quote in it doubled ("say ""hi"""); a quote left open '
            "runs to the end of the file"
        )
    if len(record) != width:
        raise UnreadableRow(f"has {len(record)} values but the header names {width} columns")
    return record


def email_problem(text: str) -> str:
    """Why `text` is not an email address, by its syntax (email-validator's, without asking
    the network whether its domain takes mail); empty when it is one."""
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        return f"is not an email address ({error})"
    return ""
