from __future__ import annotations

from pathlib import Path

import pytest

from forcebridge.salesforce.errors import UntrustedUrl
from forcebridge.store.models import ConnectionKind
from forcebridge.sync.login_targets import login_target


@pytest.mark.parametrize(
    ("url", "kind", "name"),
    [
        ("https://login.salesforce.com", ConnectionKind.PRODUCTION, "production"),
        ("https://test.salesforce.com/", ConnectionKind.SANDBOX, "sandbox"),
        ("https://acme--uat.sandbox.my.salesforce.com", ConnectionKind.SANDBOX, "sandbox"),
        ("https://acme.my.salesforce.com", ConnectionKind.MY_DOMAIN, "acme"),
    ],
)
def test_the_kind_and_default_name_follow_from_the_login_url(
    url: str, kind: ConnectionKind, name: str
) -> None:
    target = login_target(url)
    assert (target.kind, target.default_name) == (kind, name)
    assert target.endpoint.ca_file is None


def test_a_sandbox_of_ours_is_trusted_through_its_ca_file(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\n")
    target = login_target("https://127.0.0.1:8443", ca_file)
    assert (target.kind, target.default_name) == (
        ConnectionKind.FORCEBRIDGE_SANDBOX,
        "forcebridge-sandbox",
    )
    assert target.endpoint.ca_file == ca_file


def test_a_ca_file_for_salesforce_itself_is_refused(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\n")
    with pytest.raises(UntrustedUrl, match="only for a forcebridge sandbox"):
        login_target("https://login.salesforce.com", ca_file)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://login.salesforce.com.evil.example", "not a Salesforce URL"),
        ("http://login.salesforce.com", "must use https"),
        ("https://127.0.0.1:8443", "not a Salesforce URL"),
    ],
)
def test_a_url_that_is_not_salesforce_is_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(UntrustedUrl, match=reason):
        login_target(url)
