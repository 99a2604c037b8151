"""An uploaded Bulk CSV split into its header and rows, as strictly as Salesforce reads it.

Salesforce's CSV reader refuses what it cannot read rather than guess ("Valid CSV Record
Rows"): a quote inside an unquoted value ("Found unescaped quote. A value with quote should
be within a quote"), text after a closing quote ("Not expecting more text after end quote"),
and a quote never closed ("EOF reached before closing an opened quote") fail the whole upload,
so no row is read into another's value and lost. A Bulk API 2.0 job's line ending must be the
data's: a CRLF line in an `LF` job, or an LF one in a `CRLF` job, fails the job with
`ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is X`.
Every line after the header is a record, as "Prepare CSV Files" says each subsequent row is:
a blank line is a row of one empty value (in a one-column file, a record whose value is empty;
in a wider one, a record whose values are all empty), so no record is silently dropped and
results stay paired with the rows by position. The line ending that ends the file ends its last
line; it starts no record.
"""

from __future__ import annotations

from forcebridge.sandbox.bulk_csv import RefusedUpload

QUOTE = '"'


class UnreadableCsv(RefusedUpload):
    """CSV Salesforce's reader cannot parse (its batch fails `InvalidBatch`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Failed to parse CSV. {reason}")


class WrongLineEnding(RefusedUpload):
    """Data whose line endings are not the job's `lineEnding`."""

    prefix = "ClientInputError"

    def __init__(self, setting: str) -> None:
        super().__init__(
            f"LineEnding is invalid on user data. Current LineEnding setting is {setting}"
        )


def read_table(
    data: str, delimiter: str = ",", line_ending: str | None = None
) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of an uploaded CSV; a short row is padded with blanks, a long
    one kept whole (for `csv_record` to refuse). `line_ending` (`LF` or `CRLF`) is the one the
    data must use; None (Bulk API 1.0) takes either."""
    records = _records(data, delimiter, line_ending)
    header = records[0] if records else []
    width = len(header)
    return header, [row + [""] * (width - len(row)) for row in records[1:]]


def _records(data: str, delimiter: str, line_ending: str | None) -> list[list[str]]:
    """Every line's record, a blank line's included."""
    records: list[list[str]] = []
    row: list[str] = []
    at, end = 0, len(data)
    while at < end:
        value, at = _value(data, at, delimiter)
        row.append(value)
        if at < end and data[at] == delimiter:
            at += 1
            continue
        records.append(row)
        row = []
        if at < end:
            at = _line_end(data, at, line_ending)
    if row:  # the file ends in a delimiter: its last value is empty
        records.append([*row, ""])
    return records


def _value(data: str, at: int, delimiter: str) -> tuple[str, int]:
    """The value starting at `at`, and where the text after it starts."""
    stops = (delimiter, "\n", "\r\n")
    if data.startswith(QUOTE, at):
        return _quoted(data, at + 1, stops)
    start = at
    while at < len(data) and not data.startswith(stops, at):
        if data[at] == QUOTE:
            raise UnreadableCsv(
                "Found unescaped quote. A value with quote should be within a quote"
            )
        at += 1
    return data[start:at], at


def _quoted(data: str, at: int, stops: tuple[str, ...]) -> tuple[str, int]:
    parts: list[str] = []
    while True:
        close = data.find(QUOTE, at)
        if close < 0:
            raise UnreadableCsv("EOF reached before closing an opened quote")
        parts.append(data[at:close])
        if data.startswith(QUOTE, close + 1):
            parts.append(QUOTE)
            at = close + 2
            continue
        after = close + 1
        if after < len(data) and not data.startswith(stops, after):
            raise UnreadableCsv("Not expecting more text after end quote")
        return "".join(parts), after


def _line_end(data: str, at: int, line_ending: str | None) -> int:
    """Past the line ending at `at`, refused when it is not the job's."""
    crlf = data.startswith("\r\n", at)
    if (line_ending == "LF" and crlf) or (line_ending == "CRLF" and not crlf):
        raise WrongLineEnding(line_ending)
    return at + (2 if crlf else 1)
