"""The "Connect to Salesforce" form's environments and the login URL each one means."""

from __future__ import annotations

import logging
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from forcebridge.salesforce.endpoints import not_salesforce
from forcebridge.salesforce.errors import UntrustedUrl
from forcebridge.sandbox.server import SandboxServer
from forcebridge.sandbox.tls import ensure_server_certificates
from forcebridge.settings import Settings
from forcebridge.store.models import ConnectionKind
from forcebridge.web import environments
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


@contextmanager
def _served(failure: str, sandbox: SandboxServer, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A sandbox URL and the CA file the server trusts, such that the URL's check fails in the
    way named: another certificate, a port refused, silent or answering in clear."""
    if failure == "another certificate":
        yield sandbox.base_url, ensure_server_certificates(tmp_path / "elsewhere").ca_file
        return
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        if failure == "refused":
            listening.close()
        elif failure == "not TLS":

            def answer_in_clear() -> None:
                connection, _ = listening.accept()
                with connection:
                    connection.recv(4096)
                    connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

            threading.Thread(target=answer_in_clear, daemon=True).start()
        yield f"https://127.0.0.1:{port}", sandbox.ca_file


@pytest.mark.parametrize(
    ("failure", "level", "logged"),
    [
        ("another certificate", logging.WARNING, "its certificate is not one the CA file vouches"),
        ("refused", logging.INFO, "(Connection refused)"),
        ("no answer", logging.INFO, "within 0.2 seconds"),
        ("not TLS", logging.INFO, "does not answer in TLS"),
    ],
)
def test_a_sandbox_url_that_fails_its_check_is_refused_in_one_wording_and_logged_with_why(
    tmp_path: Path,
    sandbox: SandboxServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
    level: int,
    logged: str,
) -> None:
    """Any https site typed there would otherwise be shown the admin's Salesforce credentials.
    The admin is not told which failure it was, or the form would tell them which hosts and
    ports the server reaches; whoever runs forcebridge reads why in the log."""
    monkeypatch.setattr(environments, "SANDBOX_HANDSHAKE_SECONDS", 0.2)

    with (
        _served(failure, sandbox, tmp_path) as (url, ca_file),
        caplog.at_level(logging.INFO, logger=environments.__name__),
        pytest.raises(InvalidEnvironment) as refused,
    ):
        chosen_login(_settings(tmp_path, ca_file), "forcebridge-sandbox", url)

    assert refused.value.message == (
        f"{url} could not be confirmed as the forcebridge sandbox this server trusts, so you"
        " were not sent there. Check that it is the URL `forcebridge sandbox serve` printed and"
        " that the sandbox is running; whoever runs forcebridge can see why in its log."
    )
    [record] = caplog.records
    assert record.levelno == level
    assert record.getMessage().startswith(
        f"forcebridge sandbox URL {url} refused on the Connect form: "
    )
    assert logged in record.getMessage()


def test_a_sandbox_url_without_https_is_refused_as_a_connection_would_be(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    settings = _settings(tmp_path, sandbox.ca_file)

    with pytest.raises(UntrustedUrl, match="must use https"):
        chosen_login(settings, "forcebridge-sandbox", "http://127.0.0.1:8443")


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


@pytest.mark.parametrize(
    ("offered_sandbox", "sandbox_advice"),
    [
        (False, "to connect to a forcebridge sandbox, ask whoever runs forcebridge to set"),
        (True, "for a forcebridge sandbox, choose forcebridge sandbox URL."),
    ],
)
def test_the_admin_is_refused_a_url_in_the_words_of_every_refusal_with_the_forms_advice(
    tmp_path: Path, sandbox: SandboxServer, offered_sandbox: bool, sandbox_advice: str
) -> None:
    """One sentence says a URL is not Salesforce's, wherever it is refused; what to do instead
    is the admin's: the form's choices, not the command line's URLs and options."""
    settings = _settings(tmp_path, sandbox.ca_file if offered_sandbox else None)
    url = "https://login.example.com"

    with pytest.raises(InvalidEnvironment) as refused:
        chosen_login(settings, "mydomain", url)

    advice = refused.value.message.removeprefix(f"{url} is not a Salesforce URL: ")
    assert refused.value.message == not_salesforce(url, advice)
    assert advice.startswith(
        "enter your My Domain URL (https://yourcompany.my.salesforce.com), or choose Production"
        " or Salesforce sandbox; "
    )
    assert sandbox_advice in advice
