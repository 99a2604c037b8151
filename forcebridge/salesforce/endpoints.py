"""Which URLs may receive a password, a code or a token: Salesforce's, or a trusted sandbox.

A login URL is where credentials go, and an instance URL is where the bearer token goes on every
call, so both are checked before use: HTTPS, a Salesforce host (`*.salesforce.com`,
`*.my.salesforce.com`, `*.force.com`) on the standard port, nothing but an origin; or exactly the
origin of a forcebridge sandbox configured with its CA file. A refusal names a long URL by its
start and its length (`wording.quoted`), as the pages do: a 5,000-character one fills no screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from forcebridge.salesforce.errors import NotSalesforceUrl, UntrustedUrl
from forcebridge.wording import QUOTED_AT_MOST, quoted, shortened

PRODUCTION_LOGIN = "https://login.salesforce.com"
SANDBOX_LOGIN = "https://test.salesforce.com"
SALESFORCE_DOMAINS = ("salesforce.com", "force.com")
DEFAULT_API_VERSION = "62.0"
"""The REST API version (`/services/data/v62.0/...`) a new connection calls."""


@dataclass(frozen=True)
class LoginEndpoint:
    """A checked origin (`https://host[:port]`), with the CA file to trust it by, if not public."""

    url: str
    ca_file: Path | None = None

    @property
    def origin(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        return (parts.hostname or "", parts.port or 443)


def trusted_sandbox(url: str, ca_file: Path) -> LoginEndpoint:
    """Declare a forcebridge sandbox trustworthy, by `ca_file`. The file is read by each call
    (`transport`): one gone, unreadable or holding no certificate fails that call with
    `UntrustedCertificate`, so a stored connection whose file went missing is flagged, not
    refused before it can be checked or its run recorded."""
    host, port = _split_origin(url)
    return LoginEndpoint(url=_origin_url(host, port), ca_file=ca_file)


def check_url(url: str, trusted: Iterable[LoginEndpoint] = ()) -> LoginEndpoint:
    """`url` as a `LoginEndpoint`, or `UntrustedUrl` saying why it may not be used."""
    host, port = _split_origin(url)
    for endpoint in trusted:
        if endpoint.origin == (host, port):
            return endpoint
    if not is_salesforce_host(host):
        raise NotSalesforceUrl(not_salesforce(url), url)
    if port != 443:
        raise UntrustedUrl(f"{_named(url)}: Salesforce is only reached on the standard HTTPS port")
    return LoginEndpoint(url=_origin_url(host, port))


def not_salesforce(url: str, advice: str | None = None) -> str:
    """Why `url` is refused, then `advice`: what to use instead, in the words of whoever reads
    it (an admin choosing in the pages' form, the command line's `--ca-file`); by default the
    URLs to use (`salesforce_urls`)."""
    return (
        f"{_named(url)} is not a Salesforce URL: {salesforce_urls() if advice is None else advice}"
    )


def salesforce_urls(sandbox: str = "a sandbox configured with its CA file") -> str:
    """The URLs to use instead of one that is not Salesforce's; `sandbox` says how a forcebridge
    sandbox is trusted where the reader is (the command line's `--ca-file`)."""
    return (
        f"use {PRODUCTION_LOGIN}, {SANDBOX_LOGIN}, your My Domain "
        f"(https://NAME.my.salesforce.com), or {sandbox}"
    )


def is_salesforce_host(host: str) -> bool:
    """A host under one of Salesforce's domains (not merely ending in the same letters)."""
    name = host.lower().rstrip(".")
    return any(name.endswith(f".{domain}") for domain in SALESFORCE_DOMAINS)


def _split_origin(url: str) -> tuple[str, int]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port or 443
    except ValueError as exc:
        raise UntrustedUrl(f"{quoted(url)} is not a valid URL: {shortened(str(exc))}") from exc
    if parts.scheme != "https":
        raise UntrustedUrl(
            f"{_named(url)} must use https: Salesforce credentials never travel in clear"
        )
    if not parts.hostname:
        raise UntrustedUrl(f"{_named(url)} has no host name")
    if parts.username is not None or parts.password is not None:
        raise UntrustedUrl(f"{_named(url)} must not carry a user name or password")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UntrustedUrl(
            f"{_named(url)} must be just the site (https://host), with no path or query"
        )
    return parts.hostname.lower(), port


def _named(url: str) -> str:
    """`url` as a refusal names it: whole when short, else as `quoted` shows it."""
    return url if len(url) <= QUOTED_AT_MOST else quoted(url)


def _origin_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"https://{shown}" if port == 443 else f"https://{shown}:{port}"
