"""The "Connect to Salesforce" form's environments and the login URL each one means."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from forcebridge.salesforce.errors import UntrustedUrl
from forcebridge.sandbox.server import SandboxServer
from forcebridge.sandbox.tls import ensure_server_certificates
from forcebridge.settings import Settings
from forcebridge.store.models import ConnectionKind
from forcebridge.web.environments import (
    SANDBOX_CA,
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


def test_the_forcebridge_sandbox_is_offered_only_when_its_ca_is_trusted(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    settings = _settings(tmp_path)
    assert ConnectionKind.FORCEBRIDGE_SANDBOX not in {e.value for e in offered(settings)}
    with pytest.raises(InvalidEnvironment, match="Choose where to connect"):
        chosen_login(settings, "forcebridge-sandbox", sandbox.base_url)

    local_ca = tmp_path / SANDBOX_CA
    local_ca.parent.mkdir()
    shutil.copy(sandbox.ca_file, local_ca)

    assert chosen_login(settings, "forcebridge-sandbox", sandbox.base_url) == ChosenLogin(
        sandbox.base_url, local_ca
    )
    configured = _settings(tmp_path, sandbox_ca_file=sandbox.ca_file)
    assert chosen_login(configured, "forcebridge-sandbox", sandbox.base_url).ca_file == (
        sandbox.ca_file
    )


def test_a_sandbox_url_whose_certificate_the_ca_file_did_not_sign_is_refused_before_the_login(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    """Any https site typed there would otherwise be shown the admin's Salesforce credentials:
    only the code exchange after the login checked its certificate."""
    elsewhere = ensure_server_certificates(tmp_path / "elsewhere").ca_file

    with pytest.raises(InvalidEnvironment) as refused:
        chosen_login(_settings(tmp_path, elsewhere), "forcebridge-sandbox", sandbox.base_url)

    assert refused.value.message == (
        f"{sandbox.base_url} is not the forcebridge sandbox this server trusts: its certificate"
        " is not one the CA file vouches for (self-signed certificate in certificate chain), so"
        " you were not sent there. Enter the URL `forcebridge sandbox serve` printed."
    )


def test_a_sandbox_url_nothing_answers_at_is_refused_before_the_login(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    settings = _settings(tmp_path, sandbox.ca_file)

    with pytest.raises(InvalidEnvironment) as refused:
        chosen_login(settings, "forcebridge-sandbox", f"https://127.0.0.1:{port}")
    with pytest.raises(UntrustedUrl, match="must use https"):
        chosen_login(settings, "forcebridge-sandbox", f"http://127.0.0.1:{port}")

    assert refused.value.message == (
        f"https://127.0.0.1:{port} could not be checked as the forcebridge sandbox: cannot"
        f" connect to 127.0.0.1:{port} (Connection refused), so you were not sent there. Check"
        " the URL `forcebridge sandbox serve` printed and that the sandbox is running."
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
