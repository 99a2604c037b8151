"""Conditional requests on records, as Salesforce honours them (HTTP's rules, with its
exceptions).

A record's validators are its `LastModifiedDate` (`If-Modified-Since`, `If-Unmodified-Since`)
and, for Account records only, an ETag (`If-Match`, `If-None-Match`): a hash of the record as
`GET` returns it whole, so it changes whenever a value does, even twice in one second. A header
that cannot be read is ignored on a GET and refused (400) on a write, as Salesforce does;
DELETE takes no conditions. An `If-Modified-Since` later than the server's clock is ignored, as
HTTP reads it (`modified_since`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from forcebridge.sandbox.errors import ApiError

ETAG_OBJECTS = frozenset({"Account"})
"""The objects whose records carry an ETag."""

_HEADERS = ("If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header whatever the case it was sent in (a composite subrequest's `httpHeaders` are a
    plain JSON object)."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


@dataclass(frozen=True)
class Validators:
    """What a record's conditions are checked against."""

    last_modified: dt.datetime
    etag: str | None
    """None for records of objects without ETags."""


@dataclass(frozen=True)
class Preconditions:
    if_match: tuple[str, ...] | None = None
    if_none_match: tuple[str, ...] | None = None
    if_modified_since: dt.datetime | None = None
    if_unmodified_since: dt.datetime | None = None

    @classmethod
    def of(cls, headers: Mapping[str, str], *, write: bool) -> Preconditions:
        """The conditions `headers` set; on a `write`, a header that cannot be read is a 400."""
        values = {name: _header(headers, name) for name in _HEADERS}
        tags = {name: _etags(values[name]) for name in ("If-Match", "If-None-Match")}
        dates = {
            name: http_date(values[name]) for name in ("If-Modified-Since", "If-Unmodified-Since")
        }
        if write:
            for name, parsed in {**tags, **dates}.items():
                if values[name] is not None and parsed is None:
                    raise ApiError(
                        400, "INVALID_HEADER_TYPE", f"{name}: cannot read {values[name]!r}"
                    )
        return cls(
            tags["If-Match"],
            tags["If-None-Match"],
            dates["If-Modified-Since"],
            dates["If-Unmodified-Since"],
        )

    @property
    def any(self) -> bool:
        return self != Preconditions()

    def failure(self, current: Validators, *, read: bool, now: dt.datetime) -> int | None:
        """The status that ends the request before it runs (304 for a read that has nothing
        new, 412 when a precondition fails), or None to go on; in HTTP's order of evaluation,
        at `now` by the server's clock."""
        modified = current.last_modified.replace(microsecond=0)
        since = modified_since(self.if_modified_since, modified, now)
        if current.etag is not None and self.if_match is not None:
            if current.etag not in self.if_match and "*" not in self.if_match:
                return 412
        elif self.if_unmodified_since is not None and modified > self.if_unmodified_since:
            return 412
        if current.etag is not None and self.if_none_match is not None:
            if current.etag in self.if_none_match or "*" in self.if_none_match:
                return 304 if read else 412
        elif read and since is not None and modified <= since:
            return 304
        return None


def validator_headers(current: Validators | None) -> dict[str, str]:
    """`Last-Modified` and (Account records) `ETag`, for the answer that `current` validates:
    a record, or a describe (the schema's last change)."""
    if current is None:
        return {}
    headers = {"Last-Modified": format_datetime(current.last_modified, usegmt=True)}
    if current.etag is not None:
        headers["ETag"] = current.etag
    return headers


def next_modified(previous: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """When a change made `now` is dated, the last one having been dated `previous`: at least
    a whole second after it, as HTTP dates (`Last-Modified`, `If-Modified-Since`) count whole
    seconds, so a client holding the date of the last change never takes a second change made
    within the same second for no change."""
    if previous is None:
        return now
    return max(now, previous.replace(microsecond=0) + dt.timedelta(seconds=1))


def unchanged_since(headers: Mapping[str, str], modified: dt.datetime, now: dt.datetime) -> bool:
    """Whether `If-Modified-Since` says the client holds what was last `modified` (a
    describe's schema): answer 304."""
    modified = modified.replace(microsecond=0)
    since = modified_since(http_date(_header(headers, "If-Modified-Since")), modified, now)
    return since is not None and modified <= since


def modified_since(
    date: dt.datetime | None, modified: dt.datetime, now: dt.datetime
) -> dt.datetime | None:
    """An `If-Modified-Since` date as a condition on a representation last `modified`, or None
    when it sets none: a date later than the server's time is invalid (RFC 2616 §14.25: "A
    date which is later than the server's current time is invalid"), and RFC 9110 §13.1.3
    ignores an invalid date, so the read answers in full rather than 304 for a change the
    client cannot have seen. The server's time is `now`, or the `Last-Modified` it gave when
    `next_modified` dated that a second or two past the clock."""
    return date if date is not None and date <= max(now, modified) else None


def etag(record: Mapping[str, Any]) -> str:
    """A record's entity tag, quoted as the header carries it: its values, not its
    `attributes` (whose URL names the API version it was read in)."""
    values = {key: value for key, value in record.items() if key != "attributes"}
    content = json.dumps(values, sort_keys=True, default=str).encode()
    digest = hashlib.sha1(content, usedforsecurity=False).digest()
    return f'"{base64.b64encode(digest).decode()}"'


def precondition_failed() -> ApiError:
    return ApiError(
        412,
        "PRECONDITION_FAILED",
        "The record does not meet the conditions of the request's If- headers",
    )


def _etags(value: str | None) -> tuple[str, ...] | None:
    """`"a", "b"` or `*` as its tags (weak ones compared as strong); None when unreadable."""
    if value is None:
        return None
    tags = tuple(tag.strip().removeprefix("W/") for tag in value.split(",") if tag.strip())
    quoted = all(tag == "*" or (len(tag) > 1 and tag[0] == tag[-1] == '"') for tag in tags)
    return tags if tags and quoted else None


def http_date(value: str | None) -> dt.datetime | None:
    """An HTTP-date header, or None when absent or unreadable."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
