"""The "Connect to Salesforce" form's environments and the login URL each one means."""

from __future__ import annotations

from pathlib import Path

import pytest

from forcebridge.sandbox.tls import ensure_server_certificates
from forcebridge.settings import Settings
from forcebridge.store.models import ConnectionKind
from forcebridge.web.environments import (
    ChosenLogin,
    InvalidEnvironment,
    chosen_login,
    offered,
)


def _settings(tmp_path: Path, sandbox_ca_file: Path | None = None) -> Settings:
    return Settings(data_dir=tmp_path, sandbox_ca_file=sandbox_ca_file)


def test_production_and_salesforce_sandboxes_have_fixed_login_urls(tmp_path: Path) -> None:
    settings = _settings(tmp_path)

    assert chosen_login(settings, "production", "ignored") == ChosenLogin(
        "https://login.salesforce.com"
    )
    assert chosen_login(settings, "sandbox", "") == ChosenLogin("https://test.salesforce.com")


def test_a_my_domain_needs_its_url(tmp_path: Path) -> None:
    settings = _settings(tmp_path)

    assert chosen_login(settings, "mydomain", " https://acme.my.salesforce.com ") == ChosenLogin(
        "https://acme.my.salesforce.com"
    )
    with pytest.raises(InvalidEnvironment, match="type the URL you log in at"):
        chosen_login(settings, "mydomain", "  ")


def test_the_forcebridge_sandbox_is_offered_only_when_its_ca_is_trusted(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert ConnectionKind.FORCEBRIDGE_SANDBOX not in {e.value for e in offered(settings)}
    with pytest.raises(InvalidEnvironment, match="Choose where to connect"):
        chosen_login(settings, "forcebridge-sandbox", "https://127.0.0.1:8443")

    local_ca = ensure_server_certificates(tmp_path / "sandbox").ca_file

    assert chosen_login(settings, "forcebridge-sandbox", "https://127.0.0.1:8443") == ChosenLogin(
        "https://127.0.0.1:8443", local_ca
    )
    elsewhere = ensure_server_certificates(tmp_path / "elsewhere").ca_file
    configured = _settings(tmp_path, sandbox_ca_file=elsewhere)
    assert chosen_login(configured, "forcebridge-sandbox", "https://127.0.0.1:1").ca_file == (
        elsewhere
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "does not exist"), ("a CA", "holds no certificate")],
)
def test_a_sandbox_ca_file_that_cannot_be_loaded_is_refused_before_the_login(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    """Else the admin logs in at the sandbox and the token exchange fails on the callback."""
    ca_file = tmp_path / "sandbox-ca.pem"
    if content is not None:
        ca_file.write_text(content)

    with pytest.raises(InvalidEnvironment) as refused:
        chosen_login(_settings(tmp_path, ca_file), "forcebridge-sandbox", "https://127.0.0.1:1")

    assert f"its CA file {ca_file} {problem}" in refused.value.message
    assert "FORCEBRIDGE_SANDBOX_CA_FILE" in refused.value.message


def test_a_my_domain_that_is_not_salesforce_says_what_the_admin_can_do(tmp_path: Path) -> None:
    """Only whoever runs forcebridge can make it trust a sandbox: the admin is told to ask."""
    with pytest.raises(InvalidEnvironment) as refused:
        chosen_login(_settings(tmp_path), "mydomain", "https://login.example.com")
    with pytest.raises(
        InvalidEnvironment, match=r"e\.g\. https://yourcompany\.my\.salesforce\.com\.$"
    ):
        chosen_login(_settings(tmp_path), "mydomain", "")

    message = refused.value.message
    assert message.startswith("https://login.example.com is not a Salesforce URL: enter your")
    assert "ask whoever runs forcebridge to set FORCEBRIDGE_SANDBOX_CA_FILE" in message
    assert "configured with its CA file" not in message and message.endswith(".")
