"""Which character separates a CSV file's columns: a comma, or the semicolon a spreadsheet set
to a language that writes decimal commas saves "CSV" with. Told by the header line alone, so a
file can still be read a row at a time."""

from __future__ import annotations


def delimiter_of(header_line: str) -> str:
    """`;` when the header line has semicolons and no comma, else `,`."""
    return ";" if ";" in header_line and "," not in header_line else ","
