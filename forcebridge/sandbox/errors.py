"""The errors the sandbox answers with, shaped and worded as Salesforce's REST API words them.

A request-level error is the JSON array `[{"message", "errorCode", "fields"?}]`; Salesforce sends
`fields` only for errors about a record's values, so `fields=None` leaves the key out. Inside an
sObject Collections result the same error is a record error, keyed `statusCode` instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from forcebridge.soql.errors import SoqlError

NOT_FOUND_MESSAGE = "The requested resource does not exist"


class ApiError(Exception):
    """An answer other than success: HTTP status, Salesforce `errorCode`, message, fields,
    and the headers the answer carries (a 405's `Allow`)."""

    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        fields: Sequence[str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.fields = list(fields) if fields is not None else None
        self.headers = dict(headers or {})

    def to_json(self) -> list[Any]:
        """The response body."""
        body: dict[str, Any] = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            body["fields"] = list(self.fields)
        return [body]

    def to_record_error(self) -> dict[str, Any]:
        """The same error as one entry of a collection result's `errors`."""
        return {"statusCode": self.error_code, "message": self.message, "fields": self.fields or []}


class MultipleMatches(ApiError):
    """An upsert whose external id matched several records: 300 with the records' URLs, or,
    as one record of a batch (collections, Bulk), the record error DUPLICATE_EXTERNAL_ID."""

    def __init__(self, record_ids: Sequence[str], base_url: str) -> None:
        super().__init__(300, "MULTIPLE_CHOICES", "More than one record matched", None)
        self.record_ids = list(record_ids)
        self.urls = [base_url + record_id for record_id in record_ids]

    def to_json(self) -> list[Any]:
        return list(self.urls)

    def to_record_error(self) -> dict[str, Any]:
        return {
            "statusCode": "DUPLICATE_EXTERNAL_ID",
            "message": "more than one record found for external id field: "
            f"[{', '.join(self.record_ids)}]",
            "fields": [],
        }


class RecordNotFound(ApiError):
    """No record has the well-formed id a write names: 404 NOT_FOUND where the URL names it
    (`PATCH sobjects/T/{id}`). Where a record of a batch names it (sObject Collections, Bulk),
    an update or upsert answers `unknown_reference` instead (`composite.py`)."""

    def __init__(self) -> None:
        super().__init__(404, "NOT_FOUND", NOT_FOUND_MESSAGE)


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", NOT_FOUND_MESSAGE)


def unknown_reference() -> ApiError:
    """An id in a request's values that names no record: a lookup's value, or the Id of a
    record to update or upsert in a batch, as Salesforce's help (article 000387915) gives
    the latter: INVALID_CROSS_REFERENCE_KEY "invalid cross reference id"."""
    return ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])


def method_not_allowed(method: str, allowed: Sequence[str]) -> ApiError:
    """405 for `method`, naming the methods the resource takes in its message and its `Allow`
    header alike, in the order given (Salesforce's for that resource)."""
    return ApiError(
        405,
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method}' not allowed. Allowed are {','.join(allowed)}",
        headers={"Allow": ", ".join(allowed)},
    )


def gone() -> ApiError:
    """A retired API version: Salesforce answers 410 GONE for versions 21.0 to 30.0."""
    return ApiError(410, "GONE", "The requested API version has been retired: use 31.0 or later")


def no_external_id_field(name: str) -> ApiError:
    """What `sobjects/T/{name}/...` answers when `name` is neither one of T's ids nor an
    external id field: Salesforce reads such a segment as a field's name."""
    return ApiError(
        404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {name}"
    )


def entity_is_deleted(field: str | None = None) -> ApiError:
    """A deleted record: 404 when the URL names it (the resource is gone), 400 naming the
    lookup `field` when a record's value points at it (the request is what is wrong)."""
    if field is None:
        return ApiError(404, "ENTITY_IS_DELETED", "entity is deleted", [])
    return ApiError(400, "ENTITY_IS_DELETED", "entity is deleted", [field])


def from_soql(error: SoqlError) -> ApiError:
    """A query error (from the parser or the engine) as the 400 the REST API answers with."""
    return ApiError(400, error.error_code, error.message)
