"""Certificates the sandbox makes for itself on first start and reuses afterwards.

Salesforce is HTTPS-only and clients refuse plain HTTP, so the sandbox runs its own small CA:
clients trust `DIR/ca.pem` and the server presents a certificate for localhost, 127.0.0.1 and
::1 signed by it. The JWT bearer flow needs a key pair too: the sandbox keeps the certificate
"registered" with its connected app and leaves the private key in `DIR/jwt-key.pem` for clients.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from forcebridge.private_files import make_private_folders

CA_NAME = "forcebridge sandbox CA"
SERVER_HOSTS = ("localhost", "127.0.0.1", "::1")
VALIDITY = dt.timedelta(days=3650)

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class ServerCertificates:
    """Where the TLS material lives: `ca_file` is what clients must trust."""

    ca_file: Path
    cert_file: Path
    key_file: Path


@dataclass(frozen=True)
class JwtCertificate:
    """The JWT signing pair: clients sign with `key_file`, the sandbox verifies with `cert_file`."""

    key_file: Path
    cert_file: Path


def server_certificate_files(data_dir: Path) -> ServerCertificates:
    return ServerCertificates(
        ca_file=data_dir / "ca.pem",
        cert_file=data_dir / "server.pem",
        key_file=data_dir / "server-key.pem",
    )


def jwt_certificate_files(data_dir: Path) -> JwtCertificate:
    return JwtCertificate(key_file=data_dir / "jwt-key.pem", cert_file=data_dir / "jwt-cert.pem")


def ensure_server_certificates(data_dir: Path) -> ServerCertificates:
    """Create the CA and the server certificate in `data_dir` unless they are already there."""
    files = server_certificate_files(data_dir)
    ca_key_file = data_dir / "ca-key.pem"
    if all(path.exists() for path in (files.ca_file, ca_key_file, files.cert_file, files.key_file)):
        return files
    make_private_folders(data_dir)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _ca_certificate(ca_key)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = _server_certificate(server_key, ca_key, ca_cert)
    _write_key(ca_key_file, ca_key)
    _write_key(files.key_file, server_key)
    files.cert_file.write_bytes(_pem(server_cert) + _pem(ca_cert))
    files.ca_file.write_bytes(_pem(ca_cert))
    return files


def ensure_jwt_certificate(data_dir: Path, common_name: str) -> JwtCertificate:
    """Create the RS256 key pair and its self-signed certificate unless they are already there."""
    files = jwt_certificate_files(data_dir)
    if files.key_file.exists() and files.cert_file.exists():
        return files
    make_private_folders(data_dir)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = _builder(name, name, key).sign(key, hashes.SHA256())
    _write_key(files.key_file, key)
    files.cert_file.write_bytes(_pem(cert))
    return files


def _ca_certificate(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    return (
        _builder(name, name, key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _server_certificate(
    key: ec.EllipticCurvePrivateKey, ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_HOSTS[0])])
    names: list[x509.GeneralName] = [x509.DNSName(SERVER_HOSTS[0])]
    names += [x509.IPAddress(ipaddress.ip_address(host)) for host in SERVER_HOSTS[1:]]
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        _builder(subject, ca_cert.subject, key)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )


def _builder(subject: x509.Name, issuer: x509.Name, key: PrivateKey) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _write_key(path: Path, key: PrivateKey) -> None:
    """Private keys are written owner-readable only, as any TLS tooling expects."""
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
