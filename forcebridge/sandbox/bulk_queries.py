"""What the Bulk APIs refuse to query, for both versions.

A bulk query reads rows a page at a time into CSV (2.0) or flat batches (1.0), so Salesforce
refuses what does not fit a flat row read in one pass: aggregates and grouping, parent-to-child
subqueries, TYPEOF, OFFSET, and compound fields (an address or a geolocation as one value).
The sandbox refuses the same, so a query that passes here passes there. A Bulk API 1.0 job
names its object, and a query batch whose FROM names another fails (`root_mismatch`).

A failed Bulk API 1.0 query batch states why as live orgs do (`failed_query`), after
`InvalidBatch : `: `Failed to process query: INVALID_FIELD: ...`, the error on one line.
"""

from __future__ import annotations

from forcebridge.sandbox.fieldtypes import Kind
from forcebridge.sandbox.schema import ObjectSpec, Schema
from forcebridge.soql.ast import Aggregate, Count, Field, Query, Subquery, TypeOf

COMPOUND_REFUSED = "Selecting compound data not supported in Bulk Query"


def failed_query(error_code: str, message: str) -> str:
    """A failed query batch's reason, as live orgs' `stateMessage` gives it after
    `InvalidBatch : ` (simple-salesforce issue 502, ForceCLI issue 531): the error's code and
    message with each newline a space, so the caret still stands under the column it marks
    (`INVALID_FIELD:  SELECT Id, BadField FROM Account            ^ ERROR at Row:1:Column:12
    No such column ...`)."""
    one_line = message.replace("\n", " ")
    return f"Failed to process query: {error_code}: {one_line}"


def root_mismatch(query: Query, schema: Schema, job_object: str) -> str | None:
    """Why a query cannot run in a Bulk API 1.0 job of `job_object`: its FROM names another
    of the org's objects (None when it names the job's, or none the org has, which the query
    refuses itself), worded as simple-salesforce issue 502 quotes a live org."""
    named = schema.get(query.sobject)
    if named is None or named.name == job_object:
        return None
    return (
        f"The root entity of the requested query ({named.name}) does not match the entity of "
        f"the requested Bulk API Job ({job_object})."
    )


def bulk_query_problem(query: Query, schema: Schema) -> str | None:
    """Why a Bulk API cannot run `query` (None when it can)."""
    if query.group_by or any(isinstance(item, Count | Aggregate) for item in query.select):
        return "Aggregate queries are not supported by the Bulk API"
    if any(isinstance(item, Subquery) for item in query.select):
        return "Nested (parent-to-child) queries are not supported by the Bulk API"
    if any(isinstance(item, TypeOf) for item in query.select):
        return "TYPEOF is not supported by the Bulk API"
    if query.offset is not None:
        return "OFFSET is not supported by the Bulk API"
    obj = schema.get(query.sobject)
    fields = (item for item in query.select if isinstance(item, Field))
    if obj is not None and any(_is_compound(schema, obj, f.path) for f in fields):
        return COMPOUND_REFUSED
    return None


def _is_compound(schema: Schema, obj: ObjectSpec, path: tuple[str, ...]) -> bool:
    """Whether `path` (through parents) ends at an address or geolocation field."""
    for name in path[:-1]:
        lookup = obj.relationship(name)
        parent = schema.get(lookup.reference_to[0]) if lookup and lookup.reference_to else None
        if parent is None:
            return False
        obj = parent
    last = obj.field(path[-1])
    return last is not None and last.kind is Kind.COMPOUND
