"""SOSL searches answered over the org's records, as `GET search?q=FIND {...}` answers them.

Salesforce searches an index of words. Here each field a search covers (`IN ALL FIELDS`: every
text field; `NAME`, `EMAIL`, `PHONE`: those kinds; `SIDEBAR` as `NAME`) is read as lower-case
words, a phone also as its digits alone, and the term is matched word for word: a word (with
its wildcards) equals one word of some field, a phrase is consecutive words of one field, and
AND, OR and AND NOT combine them. The database first narrows the candidates with `LIKE` on the
covered fields where it can (long text cannot be filtered); the words decide.

Each RETURNING object's own filter, order, LIMIT and OFFSET apply to its matches, then the
search's LIMIT (2,000 at most) to all of them, objects in the order named. Without RETURNING,
every searchable object is searched for Ids alone. Results come as `{"searchRecords": [...]}`,
each record with its `attributes` and the fields asked for.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from forcebridge.sandbox.describe import capabilities
from forcebridge.sandbox.fields_function import fields_function
from forcebridge.sandbox.fieldtypes import Kind
from forcebridge.sandbox.query import QueryEngine
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, Schema
from forcebridge.soql import ast
from forcebridge.soql.errors import MalformedQuery, SoqlError
from forcebridge.soql.search import (
    AllOf,
    AnyOf,
    MalformedSearch,
    Phrase,
    Returning,
    Scope,
    Search,
    Term,
    Without,
    Word,
)

_PAGE = 2000
_WORDS = re.compile(r"\w+")
_KINDS = {Scope.EMAIL: "email", Scope.PHONE: "phone"}


def run_search(
    queries: QueryEngine,
    schema: Schema,
    search: Search,
    api_version: str,
    tz: dt.tzinfo,
    week_start: int,
) -> dict[str, Any]:
    """`search`'s matching records, as the search resource answers them; date literals in its
    WHERE clauses read as a query's do, in the user's `tz` and first day of the week."""
    targets = search.returning or tuple(
        Returning(obj.name, ast.Query((ast.Field(("Id",)),), obj.name))
        for obj in schema.objects
        if obj.allows("searchable") and obj.allows("queryable")
    )
    found: list[dict[str, Any]] = []
    for target in targets:
        obj = schema.get(target.sobject)
        if obj is None:
            raise SoqlError.invalid_type(search.text, target.at, target.sobject)
        try:
            found += _matches(queries, obj, target.query, search, api_version, tz, week_start)
        except SoqlError as error:  # found in the object's own statement: point at the FIND
            kind = MalformedSearch if isinstance(error, MalformedQuery) else None
            raise target.relocated(error, search.text, kind) from None
        if len(found) >= search.limit:
            break
    return {"searchRecords": found[: search.limit]}


def covered_fields(obj: ObjectSpec, scope: Scope) -> list[FieldSpec]:
    """The fields `scope` searches on `obj`."""
    text = [f for f in obj.fields if f.kind is Kind.TEXT and f.stored]
    if scope in (Scope.NAME, Scope.SIDEBAR):
        return [f for f in text if f.name_field or f.name in ("FirstName", "LastName")]
    if scope in _KINDS:
        return [f for f in text if f.type == _KINDS[scope]]
    return text


def _matches(
    queries: QueryEngine,
    obj: ObjectSpec,
    query: ast.Query,
    search: Search,
    api_version: str,
    tz: dt.tzinfo,
    week_start: int,
) -> list[dict[str, Any]]:
    fields = covered_fields(obj, search.scope)
    if not fields:
        return []
    query = _fields_expanded(obj, query)
    named = [item.field if isinstance(item, ast.Label) else item for item in query.select]
    selected = {item.path[0].lower() for item in named if isinstance(item, ast.Field)}
    extra = [f for f in fields if f.name.lower() not in selected]
    narrowed = replace(
        query,
        select=(*query.select, *(ast.Field((f.name,)) for f in extra)),
        where=_and(query.where, _candidates(search.term, fields)),
        limit=None,
        offset=None,
    )
    kept = (
        record
        for record in _records(queries, narrowed, api_version, tz, week_start)
        if _holds(search.term, [_words(f, record.get(f.name)) for f in fields])
    )
    start = query.offset or 0
    window = itertools.islice(kept, start, None if query.limit is None else start + query.limit)
    added = {f.name for f in extra}
    return [{k: v for k, v in record.items() if k not in added} for record in window]


def _fields_expanded(obj: ObjectSpec, query: ast.Query) -> ast.Query:
    """`query` with each FIELDS() as the fields it stands for, read against the object's own
    LIMIT (the search runs its statement without one), so the fields the search reads
    besides are known to be selected already."""
    select: list[ast.SelectItem] = []
    for item in query.select:
        if isinstance(item, ast.Fields):
            spelled = fields_function(query.text or "", item, obj, query.limit)
            select += [ast.Field((f.name,)) for f in spelled]
        else:
            select.append(item)
    return replace(query, select=tuple(select))


def _records(
    queries: QueryEngine, query: ast.Query, api_version: str, tz: dt.tzinfo, week_start: int
) -> Iterator[dict[str, Any]]:
    page = queries.run(
        query,
        include_deleted=False,
        batch_size=_PAGE,
        api_version=api_version,
        tz=tz,
        week_start=week_start,
    )
    yield from page["records"]
    while not page.get("done", True):
        page = queries.more(page["nextRecordsUrl"], batch_size=_PAGE, api_version=api_version)
        yield from page["records"]


def _and(first: ast.Condition | None, second: ast.Condition | None) -> ast.Condition | None:
    if first is None or second is None:
        return first or second
    return ast.And((first, second))


def _candidates(term: Term, fields: Sequence[FieldSpec]) -> ast.Condition | None:
    """A `LIKE` filter every match meets (None when the fields cannot all be filtered)."""
    if not all(capabilities(f).filterable for f in fields):
        return None
    return _like(term, fields)


def _like(term: Term, fields: Sequence[FieldSpec]) -> ast.Condition:
    if isinstance(term, Word):
        return ast.Or(
            tuple(
                ast.Comparison(
                    ast.Field((f.name,)), ast.Operator.LIKE, ast.StringValue(_pattern(term, f))
                )
                for f in fields
            )
        )
    if isinstance(term, Phrase):
        return ast.And(tuple(_like(word, fields) for word in term.words))
    if isinstance(term, AllOf):
        return ast.And(tuple(_like(part, fields) for part in term.parts))
    if isinstance(term, AnyOf):
        return ast.Or(tuple(_like(part, fields) for part in term.parts))
    return _like(term.keep, fields)


def _pattern(word: Word, spec: FieldSpec) -> str:
    """The `LIKE` pattern of a field holding `word`: a phone may write its digits apart."""
    if spec.type == "phone" and word.text.isdigit():
        return "%" + "%".join(word.text) + "%"
    return "%" + word.text.replace("*", "%").replace("?", "_") + "%"


def _words(spec: FieldSpec, value: Any) -> list[str]:
    """A field's words as the index would hold them; a phone also as its digits alone."""
    if not isinstance(value, str):
        return []
    words = _WORDS.findall(value.lower())
    if spec.type == "phone":
        digits = "".join(c for c in value if c.isdigit())
        words += [digits] if digits else []
    return words


def _holds(term: Term, fields: list[list[str]]) -> bool:
    if isinstance(term, Word):
        pattern = term.pattern()
        return any(pattern.fullmatch(word) for words in fields for word in words)
    if isinstance(term, Phrase):
        patterns = [word.pattern() for word in term.words]
        return any(_in_sequence(patterns, words) for words in fields)
    if isinstance(term, AllOf):
        return all(_holds(part, fields) for part in term.parts)
    if isinstance(term, AnyOf):
        return any(_holds(part, fields) for part in term.parts)
    assert isinstance(term, Without)
    return _holds(term.keep, fields) and not any(_holds(drop, fields) for drop in term.drop)


def _in_sequence(patterns: list[re.Pattern[str]], words: list[str]) -> bool:
    width = len(patterns)
    return any(
        all(p.fullmatch(w) for p, w in zip(patterns, words[i : i + width], strict=True))
        for i in range(len(words) - width + 1)
    )
