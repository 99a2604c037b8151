"""The HTTP edge: the requests session every call rides on, and its failures as plain data.

Both the REST client (through simple-salesforce) and the OAuth client use a session built here,
so they share one trust setting (the sandbox's CA file), one default timeout, and one hook that
reads `Sforce-Limit-Info` from every response, whichever library method made the request.
"""

from __future__ import annotations

import os
import re
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from forcebridge.salesforce.connecting import HandshakeFailed, HandshakeTimeout, mark_handshakes
from forcebridge.salesforce.errors import Failure, failure_from_body
from forcebridge.salesforce.redaction import mask_query_strings
from forcebridge.salesforce.usage import UsageMeter

CONNECT_TIMEOUT = 10.0
"""Seconds to open a connection: Salesforce accepts one at once, so longer means no route."""
DEFAULT_READ_TIMEOUT = 120.0
"""Seconds to wait for an answer: Salesforce itself cancels a query running for longer (its
SOQL limit), so waiting longer only helps a write (Salesforce gives those 10 minutes)."""
DEFAULT_TIMEOUT = (CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT)


def timeouts(read_timeout: float) -> tuple[float, float]:
    """The (connect, read) timeouts of a session that waits `read_timeout` seconds for answers."""
    return (CONNECT_TIMEOUT, read_timeout)


class NoAnswer(requests.ReadTimeout):
    """A read timeout that knows how long it waited, for a message that says so."""

    def __init__(self, timed_out: requests.ReadTimeout, seconds: float | None) -> None:
        super().__init__(*timed_out.args, request=timed_out.request, response=timed_out.response)
        self.seconds = seconds


class NoConnection(requests.ConnectTimeout):
    """A connection (TCP, or its TLS handshake) not complete within the connect timeout, which
    knows how long it waited: nothing was sent."""

    def __init__(self, timed_out: requests.ConnectTimeout, seconds: float | None) -> None:
        super().__init__(*timed_out.args, request=timed_out.request, response=timed_out.response)
        self.seconds = seconds


class Untrusted(requests.exceptions.SSLError):
    """A server certificate the session's trust refused, with that trust (`ca_file`, None for
    the system's CAs) and OpenSSL's reason, for a message that says so."""

    def __init__(
        self,
        refused: requests.exceptions.SSLError,
        ca_file: str | None,
        check: ssl.SSLCertVerificationError,
    ) -> None:
        super().__init__(*refused.args, request=refused.request, response=refused.response)
        self.ca_file = ca_file
        self.check = check


class UnusableTrust(requests.exceptions.SSLError):
    """The session's CA file cannot serve as its trust at all (`problem`: gone, unreadable,
    holding no certificate), so no server certificate can be checked: like `Untrusted`, no
    retry cures it. `setting`: the environment variable that named the file, when the
    connection has no CA file of its own."""

    def __init__(self, ca_file: str, problem: str, setting: str | None = None) -> None:
        super().__init__(f"the CA file {ca_file} {problem}")
        self.ca_file = ca_file
        self.problem = problem
        self.setting = setting


class _Session(requests.Session):
    """Sets a default timeout, since simple-salesforce passes none on most calls, and passes
    `verify` on each request, since requests would otherwise let REQUESTS_CA_BUNDLE in the
    environment override a session's CA file."""

    def __init__(self, timeout: float | tuple[float, float]) -> None:
        super().__init__()
        self.timeout = timeout
        self.mount("https://", _Adapter())

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("verify", self.verify)
        try:
            return super().request(method, url, *args, **kwargs)
        except requests.ReadTimeout as timed_out:
            raise NoAnswer(timed_out, _seconds(kwargs["timeout"], 1)) from timed_out
        except requests.ConnectTimeout as timed_out:
            raise NoConnection(timed_out, _seconds(kwargs["timeout"], 0)) from timed_out
        except OSError as failed:  # requests' own errors, and its OSError for a CA file gone
            ca_file = kwargs["verify"] if isinstance(kwargs["verify"], str) else None
            problem = ca_file_problem(Path(ca_file)) if ca_file else None
            if ca_file and problem:
                raise UnusableTrust(ca_file, problem) from failed
            self._check_bundle_setting(kwargs["verify"], failed)
            if not isinstance(failed, requests.exceptions.SSLError):
                raise
            check = _certificate_check(failed)
            if check is None:
                raise
            raise Untrusted(failed, ca_file, check) from failed

    def _check_bundle_setting(self, verify: object, failed: OSError) -> None:
        """Without a CA file requests trusts the bundle the environment names, if any: one
        that cannot be used is the same untrusted state, its advice the setting's."""
        if verify is not True or not self.trust_env:
            return
        for setting in CA_BUNDLE_SETTINGS:
            bundle = os.environ.get(setting)
            if bundle:  # requests takes the first one set
                problem = ca_file_problem(Path(bundle))
                if problem:
                    raise UnusableTrust(bundle, problem, setting) from failed
                return


class _Adapter(HTTPAdapter):
    """requests' adapter, its HTTPS connections marking the failures of their handshake
    (`connecting`), so a request that was never sent is told from one that may have been."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        mark_handshakes(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        mark_handshakes(manager)
        return manager


def _seconds(timeout: object, which: int) -> float | None:
    """The connect (`which` 0) or read (1) seconds of a request's `timeout`, if known."""
    seconds = timeout[which] if isinstance(timeout, tuple) else timeout
    return seconds if isinstance(seconds, int | float) else None


def ca_file_problem(ca_file: Path) -> str | None:
    """Why `ca_file` cannot be loaded as trusted CAs, as OpenSSL loads it for a call; None when
    it can. Asked once a call failed: requests says only that no bundle was found, or OpenSSL's
    terse reason, and a certificate check is never reached."""
    try:
        ssl.create_default_context(cafile=str(ca_file))
    except ssl.SSLError:
        return (
            "holds no certificate (a PEM file of CA certificates, starting"
            " '-----BEGIN CERTIFICATE-----', is expected)"
        )
    except FileNotFoundError:
        return "does not exist"
    except IsADirectoryError:
        return "is a folder, not a file"
    except OSError as unreadable:
        return f"cannot be read ({unreadable.strerror or unreadable})"
    return None


@dataclass(frozen=True)
class HandshakeProblem:
    """Why a server is not one a CA file vouches for: `reason`, in words; `reached` False when
    no certificate was seen at all (refused, timed out, unknown host, no TLS spoken)."""

    reason: str
    reached: bool


def handshake_problem(
    origin: tuple[str, int], ca_file: Path, timeout: float
) -> HandshakeProblem | None:
    """One TLS handshake with `origin` (host, port), trusting only `ca_file`; nothing is sent
    over it. None when the server's certificate is signed by that CA and names the host."""
    host, port = origin
    where = f"{host}:{port}"
    context = ssl.create_default_context(cafile=str(ca_file))
    try:
        with (
            socket.create_connection(origin, timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host),
        ):
            return None
    except ssl.SSLCertVerificationError as refused:
        said = refused.verify_message or "certificate verify failed"
        return HandshakeProblem(
            f"its certificate is not one the CA file vouches for ({said})", True
        )
    except ssl.SSLError as failed:
        said = failed.reason or str(failed)
        return HandshakeProblem(f"{where} does not answer in TLS ({said})", False)
    except TimeoutError:
        return HandshakeProblem(f"no answer from {where} within {timeout:g} seconds", False)
    except OSError as failed:
        return HandshakeProblem(f"cannot connect to {where} ({failed.strerror or failed})", False)


def _certificate_check(exc: requests.exceptions.SSLError) -> ssl.SSLCertVerificationError | None:
    """The failed certificate check inside urllib3's wrapping, if that is what went wrong."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    cause = reason.args[0] if isinstance(reason, Exception) and reason.args else None
    return cause if isinstance(cause, ssl.SSLCertVerificationError) else None


def http_session(
    *,
    ca_file: Path | None = None,
    usage: UsageMeter | None = None,
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
) -> requests.Session:
    """A session that trusts `ca_file` (else the system's CAs) and reports limit headers."""
    session = _Session(timeout)
    session.verify = str(ca_file) if ca_file is not None else True
    if usage is not None:

        def observe(response: requests.Response, *_: Any, **__: Any) -> None:
            usage.observe_limit_info(response.headers.get("Sforce-Limit-Info"))

        session.hooks["response"].append(observe)
    return session


def failure_from_response(response: requests.Response) -> Failure:
    """An HTTP error answer as a `Failure`."""
    try:
        body: object = response.json()
    except ValueError:
        body = response.text
    return failure_from_body(response.status_code, body)


def failure_from_exception(exc: requests.RequestException) -> Failure:
    """What a requests exception says went wrong (simple-salesforce's errors are read by
    `operations.failure_of`, so this module, which the OAuth client needs, loads no
    simple-salesforce)."""
    if isinstance(exc, Untrusted):
        return Failure(status=None, error_code=None, message=_untrusted(exc), untrusted=True)
    if isinstance(exc, UnusableTrust):
        return Failure(status=None, error_code=None, message=_unusable(exc), untrusted=True)
    if isinstance(exc, requests.ConnectTimeout):
        seconds = exc.seconds if isinstance(exc, NoConnection) else None
        return Failure(
            status=None,
            error_code=None,
            message=_not_connected(exc, seconds),
            connect_timed_out=True,
        )
    if _refused(exc):
        return Failure(status=None, error_code=None, message=_unreachable(exc))
    if isinstance(exc, requests.ReadTimeout):
        seconds = exc.seconds if isinstance(exc, NoAnswer) else None
        return Failure(
            status=None,
            error_code=None,
            message=f"no answer from {_host(exc)} {_within(seconds)}",
            maybe_processed=True,
            timeout=seconds,
        )
    # requests' own words, which may quote the URL, a query's SOQL and all ("Max retries
    # exceeded with url: /services/data/v62.0/query/?q=..."): kept and shown as the reason.
    # A failed TLS handshake sent nothing; any other failure may have come after the request.
    said = mask_query_strings(str(exc))
    unsent = isinstance(_reason(exc), HandshakeFailed)
    return Failure(status=None, error_code=None, message=said, maybe_processed=not unsent)


CA_BUNDLE_SETTING = "REQUESTS_CA_BUNDLE"
"""The CAs trusted without a CA file, in place of certifi's bundle (requests reads it)."""
CA_BUNDLE_SETTINGS = (CA_BUNDLE_SETTING, "CURL_CA_BUNDLE")
"""Where requests looks for that bundle, in its order."""
RECONNECT_WITH_CA_FILE = (
    "reconnect with the right CA file (--ca-file; FORCEBRIDGE_SANDBOX_CA_FILE for the admin pages)"
)
HOSTNAME_MISMATCH = 62
"""OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH: the certificate is for another name, whoever
signed it."""


def _untrusted(exc: Untrusted) -> str:
    """Whose certificate was refused, by what trust and why, and what to do: a retry cannot
    help. The URL (which may hold a whole query) is left out. Without a CA file, requests
    trusts certifi's bundle (or the file REQUESTS_CA_BUNDLE names), not the system's store."""
    reason = exc.check.verify_message or "certificate verify failed"
    if exc.check.verify_code == HOSTNAME_MISMATCH:
        why = reason
    elif exc.ca_file:
        why = f"not signed by the CA file the connection uses ({exc.ca_file}) ({reason})"
    else:
        why = f"not signed by a CA forcebridge trusts ({reason})"
    what_to_do = (
        f"{RECONNECT_WITH_CA_FILE}, or fix the server's certificate"
        if exc.ca_file
        else "a proxy that intercepts TLS (a company firewall, an antivirus) shows its own"
        " certificate instead of Salesforce's: have it let Salesforce through untouched, or set"
        f" {CA_BUNDLE_SETTING} to a CA bundle that holds its CA"
    )
    return f"the server's certificate at {_host(exc)} is not trusted: {why}; {what_to_do}"


def _unusable(exc: UnusableTrust) -> str:
    """What is wrong with the connection's CA file, or the bundle the environment names, and
    what to do; no host is named, as none was reached."""
    if exc.setting is not None:
        return (
            f"the CA bundle {exc.setting} names ({exc.ca_file}) {exc.problem}, so no server's"
            f" certificate can be checked; set {exc.setting} in forcebridge's environment to a"
            " CA bundle, or unset it to trust certifi's"
        )
    return (
        f"the CA file the connection uses ({exc.ca_file}) {exc.problem}, so no server's"
        f" certificate can be checked; {RECONNECT_WITH_CA_FILE}"
    )


def _unreachable(exc: requests.RequestException) -> str:
    """ "cannot connect to host:port: Connection refused": where and why, without the URL
    (which may hold a whole query) and urllib3's layers of wrapping."""
    text = str(getattr(exc.args[0], "reason", exc.args[0]))
    found = _OS_ERROR.search(text)
    why = found.group(1) if found else text
    return f"cannot connect to {_host(exc)}: {why}"


def _not_connected(exc: requests.ConnectTimeout, seconds: float | None) -> str:
    """What did not happen in time, TCP's connection or the TLS handshake after it (a server
    that accepts connections but does not answer: stalled, overloaded)."""
    if isinstance(_reason(exc), HandshakeTimeout):
        return f"could not complete the TLS handshake with {_host(exc)} {_within(seconds)}"
    return f"could not connect to {_host(exc)} {_within(seconds)}"


def _within(seconds: float | None) -> str:
    return f"within {seconds:g} second{'' if seconds == 1 else 's'}" if seconds else "in time"


def _reason(exc: requests.RequestException) -> object:
    """urllib3's reason behind a requests error (`MaxRetryError.reason`), if it has one."""
    return getattr(exc.args[0], "reason", None) if exc.args else None


def _host(exc: requests.RequestException) -> str:
    """Where the request went (host:port), without its path and query."""
    request = getattr(exc, "request", None)
    where = urlsplit(str(request.url)).netloc if request is not None and request.url else ""
    return where or "Salesforce"


_OS_ERROR = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")


def _refused(exc: requests.RequestException) -> bool:
    return isinstance(exc, requests.ConnectionError) and isinstance(
        _reason(exc), NewConnectionError
    )
