"""SOQL errors with the position and wording Salesforce uses, so clients see what they expect.

Salesforce lays a query error out as the offending line, a caret under the column, the row and
column, then the reason (shown here with its newlines)::

    SELECT Id FROM Contact WHERE
                                ^
    ERROR at Row:1:Column:29
    unexpected token: '<EOF>'

The parser raises `MalformedQuery`; the sandbox, which knows the schema, raises the others
through the factories on `SoqlError` so the wording lives here only.
"""

from __future__ import annotations

from typing import ClassVar


class SoqlError(Exception):
    """A query Salesforce would refuse; `error_code` is the API's `errorCode`."""

    error_code: ClassVar[str]

    def __init__(self, query_text: str, pos: int | None, detail: str) -> None:
        self.query_text = query_text
        self.pos = pos
        self.detail = detail
        self.row: int | None = None
        self.column: int | None = None
        if pos is not None:
            self.row, self.column = _row_column(query_text, pos)
        self.message = _layout(query_text, pos, detail)
        super().__init__(self.message)

    @property
    def located(self) -> str:
        """The reason on one line, with where it is: `unexpected token: '=' (row 1, column
        51)`."""
        where = f" (row {self.row}, column {self.column})" if self.row is not None else ""
        return self.detail + where

    @staticmethod
    def invalid_field(
        query_text: str, pos: int | None, field_name: str, sobject: str
    ) -> InvalidField:
        """`field_name` does not exist on `sobject` (as the query spells both)."""
        return InvalidField(
            query_text,
            pos,
            f"No such column '{field_name}' on entity '{sobject}'. If you are attempting to use "
            "a custom field, be sure to append the '__c' after the custom field name. Please "
            "reference your WSDL or the describe call for the appropriate names.",
        )

    @staticmethod
    def invalid_relationship(query_text: str, pos: int | None, relationship: str) -> InvalidField:
        """A path such as `Acount.Name` names a relationship the object does not have."""
        return InvalidField(
            query_text,
            pos,
            f"Didn't understand relationship '{relationship}' in field path. If you are "
            "attempting to use a custom relationship, be sure to append the '__r' after the "
            "custom relationship name. Please reference your WSDL or the describe call for the "
            "appropriate names.",
        )

    @staticmethod
    def invalid_child_relationship(
        query_text: str, pos: int | None, relationship: str
    ) -> InvalidType:
        """A subquery's FROM names a child relationship the parent does not have."""
        return InvalidType(
            query_text,
            pos,
            f"Didn't understand relationship '{relationship}' in FROM part of query call. If you "
            "are attempting to use a custom relationship, be sure to append the '__r' after the "
            "custom relationship name. Please reference your WSDL or the describe call for the "
            "appropriate names.",
        )

    @staticmethod
    def selected_twice(name: str) -> InvalidField:
        """A SELECT list naming one field twice, itself or through FIELDS(): Salesforce's
        answer as the FIELDS() page of its SOQL reference shows it ("The API returns an error
        if the SELECT statement results in any duplicated field names"), with no position."""
        return InvalidField("", None, f"duplicate field selected: {name}")

    @staticmethod
    def invalid_type(query_text: str, pos: int | None, sobject: str) -> InvalidType:
        """The FROM object does not exist."""
        return InvalidType(
            query_text,
            pos,
            f"sObject type '{sobject}' is not supported. If you are attempting to use a custom "
            "object, be sure to append the '__c' after the entity name. Please reference your "
            "WSDL or the describe call for the appropriate names.",
        )


class MalformedQuery(SoqlError):
    """The text is not SOQL the engine understands."""

    error_code = "MALFORMED_QUERY"


class InvalidField(SoqlError):
    """A field or relationship the object does not have, or a value of the wrong type for it."""

    error_code = "INVALID_FIELD"


class InvalidType(SoqlError):
    """An sObject type the org does not have."""

    error_code = "INVALID_TYPE"


def _row_column(text: str, pos: int) -> tuple[int, int]:
    """1-based row and column of offset `pos`, as Salesforce counts them."""
    row = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return row, column


def _layout(text: str, pos: int | None, detail: str) -> str:
    if pos is None:
        return detail
    row, column = _row_column(text, pos)
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end >= 0 else len(text)].rstrip("\r")
    return f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n{detail}"
