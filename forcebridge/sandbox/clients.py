"""Third-party clients pointed at a running sandbox, for tests, benchmarks and the demo."""

from __future__ import annotations

from pathlib import Path

import requests
from simple_salesforce import Salesforce

from forcebridge.sandbox.server import SandboxServer

API_VERSION = "62.0"


def trusting_session(ca_file: Path) -> requests.Session:
    """A session that trusts the sandbox's CA. `trust_env` is off because REQUESTS_CA_BUNDLE or
    CURL_CA_BUNDLE in the environment would otherwise override `verify`."""
    session = requests.Session()
    session.verify = str(ca_file)
    session.trust_env = False
    return session


def simple_salesforce(
    server: SandboxServer, token: str | None = None, *, version: str = API_VERSION
) -> Salesforce:
    """simple-salesforce logged in to `server` as its admin (or with `token`)."""
    return Salesforce(
        instance_url=server.base_url,
        session_id=token or server.access_token(),
        session=trusting_session(server.ca_file),
        version=version,
    )
