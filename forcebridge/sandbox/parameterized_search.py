"""`parameterizedSearch`: a search given as parameters (GET) or JSON (POST) instead of SOSL.

Both forms are read into one `ParameterizedSearch`, which writes the SOSL it stands for, so the
search itself, its checks and its answer are SOSL's (`forcebridge.sandbox.search`):
`q=Acme&sobject=Account&Account.fields=Id,Name&Account.limit=10` is
`FIND {Acme} IN ALL FIELDS RETURNING Account(Id, Name LIMIT 10)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.http_api import comma_separated
from forcebridge.sandbox.json_values import json_whole, request_whole, shown
from forcebridge.soql.errors import SoqlError
from forcebridge.soql.parser import parse
from forcebridge.soql.search import MAX_RESULTS, Scope, escape_term

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_FIELD = re.compile(rf"{_NAME.pattern}(\.{_NAME.pattern})*")
"""A field name, or a path to a parent's field (`Account.Name`)."""


def _malformed(message: str) -> ApiError:
    return ApiError(400, "MALFORMED_SEARCH", message)


@dataclass(frozen=True)
class SearchedObject:
    """One object to search, with what to return of it."""

    name: str
    fields: tuple[str, ...] = ()
    where: str | None = None
    order_by: str | None = None
    limit: int | None = None

    def __post_init__(self) -> None:
        """Each part is pasted into the SOSL this search writes, so each must be what it says
        it is, or it could reach past its object's clause (`fields=Id) , Account(Name`)."""
        if not _NAME.fullmatch(self.name):
            raise _malformed(f"sobject must be an object name, not {shown(self.name)}")
        for named in self.fields:
            if not _FIELD.fullmatch(named):
                raise _malformed(
                    f"{self.name}.fields must be a comma-separated list of field names, "
                    f"not {shown(named)}"
                )
        _soql_clause(self.name, "where", "WHERE", self.where)
        _soql_clause(self.name, "orderBy", "ORDER BY", self.order_by)


def _soql_clause(sobject: str, name: str, keyword: str, text: str | None) -> None:
    """Refuse a `where` or `orderBy` that does not read as that clause of a SOQL query on
    `sobject` alone: one that would close its object's parentheses, or is no clause at all."""
    if text is None:
        return
    try:
        parse(f"SELECT Id FROM {sobject} {keyword} {text}")
    except SoqlError as error:
        raise _malformed(
            f"{sobject}.{name} must be a {keyword} clause of {sobject} alone: {error.detail}"
        ) from None


@dataclass(frozen=True)
class ParameterizedSearch:
    q: str
    scope: Scope = Scope.ALL
    objects: tuple[SearchedObject, ...] = ()
    """None: every searchable object, Ids only."""
    overall_limit: int = MAX_RESULTS

    @classmethod
    def of_parameters(
        cls, params: Mapping[str, str], objects: Sequence[str]
    ) -> ParameterizedSearch:
        """From a GET's query string: `objects` are its `sobject` values, and each object's
        `{Object}.fields|where|orderBy|limit` refine the global `fields` and `defaultLimit`."""
        fields = _names(params.get("fields"))
        default_limit = _parameter_limit(params, "defaultLimit")
        return cls(
            _term(params.get("q")),
            _scope(params.get("in")),
            tuple(
                SearchedObject(
                    name,
                    _names(params.get(f"{name}.fields")) or fields,
                    params.get(f"{name}.where") or None,
                    params.get(f"{name}.orderBy") or None,
                    _parameter_limit(params, f"{name}.limit") or default_limit,
                )
                for name in objects
            ),
            _parameter_limit(params, "overallLimit") or MAX_RESULTS,
        )

    @classmethod
    def of_body(cls, body: Any) -> ParameterizedSearch:
        """From a POST's JSON: `{"q", "fields", "sobjects": [{"name", "fields", "where",
        "orderBy", "limit"}], "in", "overallLimit", "defaultLimit"}`."""
        if not isinstance(body, dict):
            raise _malformed("The request body must be a JSON object")
        fields = _names(body.get("fields"))
        default_limit = _body_limit(body, "defaultLimit")
        entries = body.get("sobjects") or []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise _malformed("sobjects must be a list of objects, each with its name")
        objects = []
        for entry in entries:
            name = entry.get("name")
            if not isinstance(name, str) or not name:
                raise _malformed("Each of sobjects needs its name")
            objects.append(
                SearchedObject(
                    name,
                    _names(entry.get("fields")) or fields,
                    entry.get("where") or None,
                    entry.get("orderBy") or None,
                    _body_limit(entry, "limit", f"{name}.limit") or default_limit,
                )
            )
        return cls(
            _term(body.get("q")),
            _scope(body.get("in")),
            tuple(objects),
            _body_limit(body, "overallLimit") or MAX_RESULTS,
        )

    def sosl(self) -> str:
        """The SOSL search this stands for."""
        text = f"FIND {{{escape_term(self.q)}}} IN {self.scope} FIELDS"
        if self.objects:
            text += " RETURNING " + ", ".join(_returning(o) for o in self.objects)
        return f"{text} LIMIT {self.overall_limit}"


def _returning(searched: SearchedObject) -> str:
    clauses = ", ".join(searched.fields) or "Id"
    if searched.where:
        clauses += f" WHERE {searched.where}"
    if searched.order_by:
        clauses += f" ORDER BY {searched.order_by}"
    if searched.limit:
        clauses += f" LIMIT {searched.limit}"
    return f"{searched.name}({clauses})"


def _term(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ApiError(400, "MISSING_ARGUMENT", "Missing required parameter: q")
    return raw.strip()


def _scope(raw: Any) -> Scope:
    if raw is None or raw == "":
        return Scope.ALL
    try:
        return Scope(str(raw).upper())
    except ValueError:
        choices = ", ".join(Scope)
        raise _malformed(f"in must be one of {choices}, not {shown(raw)}") from None


def _names(raw: Any) -> tuple[str, ...]:
    """Field names from `A,B` (GET) or `["A", "B"]` (POST)."""
    if raw is None:
        return ()
    items = comma_separated(raw) if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise _malformed("fields must be field names")
    return tuple(name.strip() for name in items if name.strip())


def _parameter_limit(params: Mapping[str, str], name: str) -> int | None:
    """A limit of the query string: a text, so any that is no whole number is out of range."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    return _in_range(json_whole(raw), raw, name)


def _body_limit(body: Mapping[str, Any], key: str, name: str | None = None) -> int | None:
    """A limit of the JSON body: one that is no whole number (`true`, `"ten"`) is refused by
    the JSON parser before its range is looked at."""
    value = request_whole(body, key)
    return None if value is None else _in_range(value, body[key], name or key)


def _in_range(value: int | None, raw: Any, name: str) -> int:
    if value is None or not 1 <= value <= MAX_RESULTS:
        raise _malformed(
            f"{name} must be a whole number from 1 to {MAX_RESULTS:,}, not {shown(raw)}"
        )
    return value
