"""What can go wrong talking to Salesforce, classed by what the caller should do about it.

Every failure leaves this package as one of these exceptions, never as a simple-salesforce or
requests exception, so callers branch on meaning ("reconnect", "wait for tomorrow", "fix the
query") rather than on HTTP details. Per-record failures inside a successful collection call
are not exceptions: they come back as `RecordError` values next to the records that worked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class SalesforceError(Exception):
    """Base of every error this package raises; `error_code` is Salesforce's own, if it gave one."""

    def __init__(
        self,
        message: str,
        *,
        error_code: str | None = None,
        fields: Sequence[str] = (),
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code
        self.fields = tuple(fields)
        self.status = status

    def __str__(self) -> str:
        prefix = f"{self.error_code}: " if self.error_code else ""
        suffix = f" (fields: {', '.join(self.fields)})" if self.fields else ""
        return f"{prefix}{self.message}{suffix}"


class AuthenticationLost(SalesforceError):
    """The saved authorization no longer works (revoked, expired, refresh refused): reconnect."""


class ApiDisabled(SalesforceError):
    """The org's edition or the user's profile has no API access: nothing to retry."""


class LimitExceeded(SalesforceError):
    """The org's rolling 24-hour API allowance is spent: wait for it to free up."""


class InsufficientAccess(SalesforceError):
    """The connected user may not do this: grant the permission in Salesforce."""


class BadRequest(SalesforceError):
    """Salesforce refused the request itself (malformed query, unknown field or type): fix it."""

    @property
    def names_what_the_org_lacks(self) -> bool:
        """Whether it refused a field or object the org does not have (any more): a describe
        cached before a change in the org is then out of date."""
        return self.error_code in ("INVALID_FIELD", "INVALID_TYPE")


class DescribeOutdated(SalesforceError):
    """A field the cached describe promised is gone from the org: the describe has been
    refreshed, so trying again (a run later) works with the org as it is now."""


class NotFound(SalesforceError):
    """The record, object or resource does not exist (or the user cannot see it)."""


class TransientError(SalesforceError):
    """A temporary failure that was retried `attempts` times and still failed."""

    def __init__(self, message: str, *, attempts: int, **details: Any) -> None:
        super().__init__(message, **details)
        self.attempts = attempts


class UntrustedCertificate(SalesforceError):
    """The server's TLS certificate is not one the connection trusts (not signed by its CA
    file, or by the default CAs without one; or made for another name). Not a `TransientError`:
    no retry cures it, and whoever made the call should not be told to try again, but to fix
    the trust or the certificate; the message says which."""


class LoginFailed(SalesforceError):
    """An OAuth endpoint refused: `error_code` is OAuth's `error`, the message its description."""


class UntrustedUrl(SalesforceError):
    """A login or instance URL that is neither Salesforce nor a sandbox trusted by configuration."""


class NotSalesforceUrl(UntrustedUrl):
    """An HTTPS `url` (as given) on a host that is not Salesforce's, nor a trusted sandbox's:
    the caller may say how its own users trust a sandbox (`endpoints.not_salesforce`)."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


@dataclass(frozen=True)
class RecordError:
    """Why one record of a collection call failed, as Salesforce reported it."""

    status_code: str
    message: str
    fields: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> RecordError:
        return cls(
            status_code=str(item.get("statusCode") or item.get("errorCode") or "UNKNOWN"),
            message=str(item.get("message", "")),
            fields=tuple(item.get("fields") or ()),
        )


@dataclass(frozen=True)
class Failure:
    """One failed attempt as plain data: the input of the retry policy and of `error_for`.

    `status` is None when no HTTP answer came back; then `maybe_processed` says whether the
    request might still have reached Salesforce (a read timeout) or surely did not (no connection).
    `timeout` is the seconds Salesforce was given to answer, when it gave none in them;
    `connect_timed_out` marks a connection (TCP, or its TLS handshake) not complete within the
    connect timeout, so nothing was sent.
    `oauth` marks an OAuth endpoint's `{"error", "error_description"}` answer.
    `untrusted` marks a server certificate the connection's trust refused: no retry cures it.
    """

    status: int | None
    error_code: str | None
    message: str
    fields: tuple[str, ...] = ()
    maybe_processed: bool = False
    oauth: bool = False
    timeout: float | None = None
    connect_timed_out: bool = False
    untrusted: bool = False

    @property
    def reached_salesforce(self) -> bool:
        """Whether Salesforce may have received the request (and counted it as an API call)."""
        return self.status is not None or self.maybe_processed


def failure_from_body(status: int, body: object) -> Failure:
    """Read Salesforce's error shapes: `[{"errorCode", "message", "fields"}]` or OAuth's dict."""
    if isinstance(body, list) and body and isinstance(body[0], Mapping):
        first = body[0]
        return Failure(
            status=status,
            error_code=first.get("errorCode"),
            message=str(first.get("message", "")),
            fields=tuple(first.get("fields") or ()),
        )
    if isinstance(body, Mapping) and "error" in body:
        return Failure(
            status=status,
            error_code=str(body["error"]),
            message=str(body.get("error_description") or body["error"]),
            oauth=True,
        )
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    return Failure(status=status, error_code=None, message=text.strip()[:500] or f"HTTP {status}")


_BY_CODE: dict[str, type[SalesforceError]] = {
    "INVALID_SESSION_ID": AuthenticationLost,
    "API_DISABLED_FOR_ORG": ApiDisabled,
    "API_CURRENTLY_DISABLED": ApiDisabled,
    "REQUEST_LIMIT_EXCEEDED": LimitExceeded,
    "NOT_FOUND": NotFound,
    "INVALID_CROSS_REFERENCE_KEY": NotFound,
}

_BY_STATUS: dict[int, type[SalesforceError]] = {
    400: BadRequest,
    401: AuthenticationLost,
    403: InsufficientAccess,
    404: NotFound,
}

_ADVICE: dict[type[SalesforceError], str] = {
    AuthenticationLost: "Salesforce no longer accepts this connection's authorization;"
    " reconnect it",
    ApiDisabled: "API access is not enabled for this Salesforce org or user "
    "(an edition without API, or a profile without 'API Enabled')",
    LimitExceeded: "the org's daily API request limit is used up; calls resume as the "
    "24-hour window frees up",
    InsufficientAccess: "the connected Salesforce user lacks the permission for this",
}


def error_class(failure: Failure) -> type[SalesforceError]:
    """The exception class a non-transient failure maps to, from its errorCode then its status."""
    code = failure.error_code or ""
    if failure.oauth:
        return LoginFailed
    if code in _BY_CODE:
        return _BY_CODE[code]
    if code.startswith("INSUFFICIENT_ACCESS"):
        return InsufficientAccess
    if failure.status is not None and failure.status in _BY_STATUS:
        return _BY_STATUS[failure.status]
    return SalesforceError


TIMEOUT_SETTING = "FORCEBRIDGE_SALESFORCE_TIMEOUT"
"""The setting that gives Salesforce longer to answer, named where an answer did not come."""


def error_for(
    failure: Failure,
    *,
    transient: bool,
    attempts: int,
    resent: bool = True,
    earlier: Sequence[Failure] = (),
) -> SalesforceError:
    """The typed error to raise for the last failed attempt of a call; `resent` False for a
    request not sent again since Salesforce may have carried it out (`retry.is_transient`);
    `earlier`, the failures of the tries before it, when known, so a transient error says
    what happened to each. A certificate the connection does not trust is its own error,
    whatever `transient` says."""
    details: dict[str, Any] = {
        "error_code": failure.error_code,
        "fields": failure.fields,
        "status": failure.status,
    }
    if failure.untrusted:
        return UntrustedCertificate(failure.message, **details)
    if transient:
        times = "once" if attempts == 1 else f"{attempts} times"
        tries = [*earlier, failure] if len(earlier) == attempts - 1 else [failure] * attempts
        return TransientError(
            f"Salesforce did not answer successfully after trying {times}: {_each_try(tries)}"
            + _timed_out(failure, resent),
            attempts=attempts,
            **details,
        )
    cls = error_class(failure)
    advice = _ADVICE.get(cls)
    message = f"{advice} ({failure.message})" if advice else failure.message
    return cls(message, **details)


def _each_try(tries: Sequence[Failure]) -> str:
    """What went wrong, per run of tries that failed alike: "no answer from H within 120
    seconds each time", or "try 1: no answer ...; tries 2-4: could not complete ..."."""
    runs: list[tuple[int, Failure]] = []  # (first try, failure), 1-based
    for number, failed in enumerate(tries, start=1):
        if not runs or failed.message != runs[-1][1].message:
            runs.append((number, failed))
    if len(runs) == 1:
        timed_out = tries[0].timeout is not None or tries[0].connect_timed_out
        return tries[0].message + (" each time" if timed_out and len(tries) > 1 else "")
    ends = [first - 1 for first, _ in runs[1:]] + [len(tries)]
    return "; ".join(
        f"try {first}: {failed.message}"
        if first == last
        else f"tries {first}-{last}: {failed.message}"
        for (first, failed), last in zip(runs, ends, strict=True)
    )


def _timed_out(failure: Failure, resent: bool) -> str:
    """What a call whose last try timed out leaves behind, and what to do about it: waiting
    longer for answers helps a slow Salesforce, not one that does not complete connections."""
    if failure.connect_timed_out:
        return (
            "; Salesforce, or the network to it, does not complete connections (down, or"
            " overloaded): the next run tries again; check Salesforce's status, and the network"
            " (a firewall, a proxy), if it goes on"
        )
    if failure.timeout is None:
        return ""
    held = "" if resent else "; not sent again, as Salesforce may have carried it out"
    return (
        f"{held}; Salesforce, or the network to it, is slow: the next run tries again, "
        f"or give it longer with {TIMEOUT_SETTING} (seconds)"
    )
