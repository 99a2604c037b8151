"""The sandbox's own CA: made once, reused, and trusted by clients for every local name."""

from __future__ import annotations

import ipaddress
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from cryptography import x509

from forcebridge.sandbox.server import SandboxServer
from forcebridge.sandbox.tls import ensure_jwt_certificate, ensure_server_certificates


def test_certificates_are_created_once_then_reused(tmp_path: Path) -> None:
    first = ensure_server_certificates(tmp_path)
    contents = {path: path.read_bytes() for path in tmp_path.iterdir()}
    second = ensure_server_certificates(tmp_path)
    assert first == second
    assert {path: path.read_bytes() for path in tmp_path.iterdir()} == contents
    assert first.ca_file == tmp_path / "ca.pem"


def test_private_keys_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    files = ensure_server_certificates(tmp_path)
    jwt_files = ensure_jwt_certificate(tmp_path, "client")
    for key in (files.key_file, tmp_path / "ca-key.pem", jwt_files.key_file):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_server_certificate_names_every_local_address_and_chains_to_the_ca(
    tmp_path: Path,
) -> None:
    files = ensure_server_certificates(tmp_path)
    ca = x509.load_pem_x509_certificate(files.ca_file.read_bytes())
    server = x509.load_pem_x509_certificates(files.cert_file.read_bytes())[0]
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert set(names.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    server.verify_directly_issued_by(ca)


def test_jwt_certificate_matches_its_private_key(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    files = ensure_jwt_certificate(tmp_path, "client")
    key = serialization.load_pem_private_key(files.key_file.read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(files.cert_file.read_bytes())
    assert cert.public_key() == key.public_key()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_clients_trusting_ca_pem_reach_the_sandbox(
    sandbox: SandboxServer, https_for: Callable[[SandboxServer], requests.Session], host: str
) -> None:
    url = sandbox.base_url.replace("127.0.0.1", host) + "/services/data"
    assert https_for(sandbox).get(url).status_code == 200


def test_clients_without_the_ca_refuse_the_sandbox(sandbox: SandboxServer) -> None:
    session = requests.Session()
    session.trust_env = False
    with pytest.raises(requests.exceptions.SSLError):
        session.get(sandbox.base_url + "/services/data")
