"""A server certificate trusted by default (no CA file): what the refusal says, and that what
it says to do works."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from forcebridge.salesforce.transport import (
    Untrusted,
    UnusableTrust,
    failure_from_exception,
    http_session,
)
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


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "does not exist"), ("not a certificate", "holds no certificate")],
)
def test_a_bundle_the_environment_names_that_cannot_be_used_is_untrusted_with_its_setting(
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    content: str | None,
    problem: str,
) -> None:
    """A REQUESTS_CA_BUNDLE left pointing at a file since removed: no retry cures it, and the
    advice is the setting's, not a reconnect."""
    bundle = tmp_path / "bundle.pem"
    if content is not None:
        bundle.write_text(content)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))

    with pytest.raises(UnusableTrust) as caught:
        http_session().get(f"{sandbox.base_url}/services/data")
    failure = failure_from_exception(caught.value)

    assert failure.untrusted
    assert failure.message.startswith(
        f"the CA bundle REQUESTS_CA_BUNDLE names ({bundle}) {problem}"
    )
    assert failure.message.endswith(
        "so no server's certificate can be checked; set REQUESTS_CA_BUNDLE in forcebridge's"
        " environment to a CA bundle, or unset it to trust certifi's"
    )
