"""A connection's CA file that cannot serve as its trust at all (gone, unreadable, holding no
certificate): every call fails, at once and for the same reason, until someone fixes the file,
so it is an untrusted certificate named precisely, never a passing failure retried."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path

import pytest

from forcebridge.salesforce import transport
from forcebridge.salesforce.endpoints import trusted_sandbox
from forcebridge.salesforce.errors import UntrustedCertificate
from forcebridge.salesforce.oauth import ConnectedApp, OAuthClient
from forcebridge.salesforce.status import InMemoryStatusLog, Problem
from forcebridge.sandbox.server import SandboxServer
from tests.salesforce.conftest import Connected, Waits, fast_retrier, password_tokens

RECONNECT = (
    "reconnect with the right CA file (--ca-file; FORCEBRIDGE_SANDBOX_CA_FILE for the admin pages)"
)


def test_a_client_whose_ca_file_is_gone_needs_attention_at_its_first_call(
    sandbox: SandboxServer, connect: Callable[..., Connected], tmp_path: Path
) -> None:
    gone = tmp_path / "ca.pem"
    log = InMemoryStatusLog()
    connected = connect(sandbox, tokens=password_tokens(sandbox), ca_file=gone, status_observer=log)

    with pytest.raises(UntrustedCertificate) as caught:
        connected.client.limits()

    assert str(caught.value) == (
        f"the CA file the connection uses ({gone}) does not exist, so no server's certificate"
        f" can be checked; {RECONNECT}"
    )
    assert connected.waits.seconds == []
    assert [s.problem for s in log.changes] == [Problem.UNTRUSTED_CERTIFICATE]


def test_a_login_through_a_ca_file_without_a_certificate_is_refused_once(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The OAuth client rides on the same session: a connect or a renewal says the same."""
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a pem\n")
    waits = Waits()
    app = ConnectedApp(sandbox.config.client_id, sandbox.config.client_secret)
    oauth = OAuthClient(
        trusted_sandbox(sandbox.base_url, not_pem), app, retrier=fast_retrier(waits)
    )

    with pytest.raises(UntrustedCertificate) as caught:
        oauth.password_grant(sandbox.config.username, sandbox.config.password)

    assert str(caught.value) == (
        f"the CA file the connection uses ({not_pem}) holds no certificate (a PEM file of CA"
        " certificates, starting '-----BEGIN CERTIFICATE-----', is expected), so no server's"
        f" certificate can be checked; {RECONNECT}"
    )
    assert waits.seconds == []


def test_a_ca_file_is_named_for_what_keeps_it_from_use(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    usable = transport.ca_file_problem(sandbox.ca_file)
    in_a_folder = transport.ca_file_problem(folder)

    def denied(**_: object) -> ssl.SSLContext:
        raise PermissionError(13, "Permission denied")

    # root reads any file, so the refusal a service user meets is played here
    monkeypatch.setattr(transport.ssl, "create_default_context", denied)
    unreadable = transport.ca_file_problem(sandbox.ca_file)

    assert usable is None
    assert in_a_folder == "is a folder, not a file"
    assert unreadable == "cannot be read (Permission denied)"
