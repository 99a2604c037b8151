"""A server certificate trusted by default (no CA file): what the refusal says, and that what
it says to do works."""

from __future__ import annotations

import pytest
import requests

from forcebridge.salesforce.transport import Untrusted, failure_from_exception, http_session
from forcebridge.sandbox.server import SandboxServer


def test_without_a_ca_file_the_refusal_points_at_a_proxy_and_the_bundle_to_trust(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a CA file requests trusts certifi's bundle, not the system's store: a proxy that
    intercepts TLS is the likely cause, and REQUESTS_CA_BUNDLE is how to trust its CA."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    url = f"{sandbox.base_url}/services/data"
    host = sandbox.base_url.removeprefix("https://")

    with pytest.raises(Untrusted) as caught:
        http_session().get(url)
    failure = failure_from_exception(caught.value)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sandbox.ca_file))
    trusted = http_session().get(url)

    assert failure.untrusted
    assert failure.message == (
        f"the server's certificate at {host} is not trusted: not signed by a CA forcebridge"
        " trusts (self-signed certificate in certificate chain); a proxy that intercepts TLS (a"
        " company firewall, an antivirus) shows its own certificate instead of Salesforce's:"
        " have it let Salesforce through untouched, or set REQUESTS_CA_BUNDLE to a CA bundle"
        " that holds its CA"
    )
    assert isinstance(trusted, requests.Response)
    assert trusted.ok
