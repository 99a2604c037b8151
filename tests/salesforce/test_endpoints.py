from pathlib import Path

import pytest

from forcebridge.salesforce.endpoints import (
    LoginEndpoint,
    check_url,
    is_salesforce_host,
    not_salesforce,
    salesforce_urls,
    trusted_sandbox,
)
from forcebridge.salesforce.errors import UntrustedUrl


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://login.salesforce.com", "https://login.salesforce.com"),
        ("https://test.salesforce.com/", "https://test.salesforce.com"),
        ("https://Acme.my.salesforce.com", "https://acme.my.salesforce.com"),
        (
            "https://acme--uat.sandbox.my.salesforce.com",
            "https://acme--uat.sandbox.my.salesforce.com",
        ),
        ("https://na139.salesforce.com:443", "https://na139.salesforce.com"),
        ("https://acme.lightning.force.com", "https://acme.lightning.force.com"),
    ],
)
def test_salesforce_login_urls_are_accepted_as_their_origin(url: str, origin: str) -> None:
    assert check_url(url) == LoginEndpoint(url=origin)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://login.salesforce.com", "must use https"),
        ("https://login.salesforce.com.evil.example", "not a Salesforce URL"),
        ("https://evilsalesforce.com", "not a Salesforce URL"),
        ("https://salesforce.com", "not a Salesforce URL"),
        ("https://example.com", "not a Salesforce URL"),
        ("https://127.0.0.1:8443", "not a Salesforce URL"),
        ("https://login.salesforce.com:8443", "standard HTTPS port"),
        ("https://login.salesforce.com/services/oauth2/authorize", "no path"),
        ("https://login.salesforce.com/?next=https://evil", "no path"),
        ("https://user:pw@login.salesforce.com", "user name or password"),
        ("login.salesforce.com", "must use https"),
        ("https://", "no host"),
    ],
)
def test_anything_else_is_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(UntrustedUrl, match=reason):
        check_url(url)


def test_a_sandbox_is_trusted_only_at_its_exact_origin_with_its_ca(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    sandbox = trusted_sandbox("https://127.0.0.1:8443", ca)
    assert check_url("https://127.0.0.1:8443/", [sandbox]) == sandbox
    assert sandbox.ca_file == ca
    with pytest.raises(UntrustedUrl):
        check_url("https://127.0.0.1:9443", [sandbox])
    with pytest.raises(UntrustedUrl, match="https"):
        check_url("http://127.0.0.1:8443", [sandbox])


def test_host_check_is_by_domain_not_by_letters() -> None:
    assert is_salesforce_host("acme.my.salesforce.com")
    assert is_salesforce_host("login.salesforce.com.")
    assert not is_salesforce_host("notsalesforce.com")
    assert not is_salesforce_host("force.com")


def test_a_url_not_salesforces_is_refused_in_one_sentence_with_its_readers_advice() -> None:
    """The sentence is one; what to use instead is the reader's (the command line names its
    --ca-file, the admin pages the form's choices)."""
    with pytest.raises(UntrustedUrl) as refused:
        check_url("https://example.com")
    urls = (
        "use https://login.salesforce.com, https://test.salesforce.com, your My Domain"
        " (https://NAME.my.salesforce.com), or "
    )

    assert str(refused.value) == (
        f"https://example.com is not a Salesforce URL: {urls}a sandbox configured with its CA file"
    )
    assert not_salesforce("https://example.com", salesforce_urls("--ca-file")) == (
        f"https://example.com is not a Salesforce URL: {urls}--ca-file"
    )
    assert not_salesforce("https://example.com", "choose one.") == (
        "https://example.com is not a Salesforce URL: choose one."
    )
