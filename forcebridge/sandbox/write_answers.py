"""How the REST API answers a record write, and the options that change it, by API version.

The REST routes (`http_rest`) and the composite subrequests (`subrequests`) answer a create or
an upsert alike, so both take their answer from here: the result body, the status an upsert
gets in the version asked for, the `Location` header naming the record written, and whether
the upsert was asked not to create (`?updateOnly=true`).
"""

from __future__ import annotations

from typing import Any

from forcebridge.sandbox.http_api import DATA_PREFIX

UPSERT_REPORTS_CREATED_SINCE = 46
"""The API version from which an upsert's answer says whether it `created` its record."""

UPDATE_ONLY_SINCE = 61
"""The API version from which an upsert by external id takes `updateOnly` (Summer '24: the REST
guide's "Upsert Records Using sObject Rows by External ID" lists it from its 250.0 edition,
for 61.0, and not in 60.0's)."""


def _major(version: str) -> int:
    return int(version.partition(".")[0])


def write_result(record_id: str, created: bool | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"id": record_id, "success": True, "errors": []}
    if created is not None:
        result["created"] = created
    return result


def upsert_answer(version: str, record_id: str, created: bool) -> tuple[int, dict[str, Any] | None]:
    """An upsert's status and body as API `version` gives them (the REST guide's "Insert or
    Update (Upsert) a Record Using an External ID"): a new record 201 with its result, which
    says `created` from 46.0; an updated one 200 with `created: false` from 46.0, and before
    that 204 with no body."""
    reports_created = _major(version) >= UPSERT_REPORTS_CREATED_SINCE
    if created:
        return 201, write_result(record_id, True if reports_created else None)
    if reports_created:
        return 200, write_result(record_id, created=False)
    return 204, None


def update_only(version: str, raw: str | None) -> bool:
    """Whether an upsert by external id was asked to update only (`?updateOnly=true`), so that
    a key matching no record creates none. Versions before the parameter existed ignore it,
    as they ignore any query parameter they do not know."""
    return _major(version) >= UPDATE_ONLY_SINCE and (raw or "").strip().lower() == "true"


def location(version: str, sobject: str, record_id: str) -> dict[str, str]:
    """The `Location` header of an answer naming a record it wrote: a create's 201 carries it
    (a live org's raw answer to `POST sobjects/Account` does, and a composite subrequest's
    `httpHeaders` show it), and so does an upsert's answer with a body."""
    return {"Location": f"{DATA_PREFIX}/v{version}/sobjects/{sobject}/{record_id}"}
