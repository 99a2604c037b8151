"""What a sandbox run is told: where its data lives, who may log in, and how badly to behave."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8443
DEFAULT_DATA_DIR = Path(".forcebridge/sandbox")
DEFAULT_CLIENT_ID = "3MVG9forcebridge.sandbox.client"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 - a published sandbox default
DEFAULT_USERNAME = "admin@sandbox.forcebridge.dev"
DEFAULT_PASSWORD = "sandbox-password"  # noqa: S105 - a published sandbox default
DEFAULT_API_LIMIT = 100_000
DEFAULT_SESSION_LIFETIME = 7200


class SandboxConfigError(ValueError):
    """A setting the sandbox cannot run with; the message names the setting."""


@dataclass(frozen=True)
class SandboxConfig:
    data_dir: Path = DEFAULT_DATA_DIR
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    schema_dir: Path | None = None
    api_limit: int = DEFAULT_API_LIMIT
    session_lifetime: float = DEFAULT_SESSION_LIFETIME
    fail_rate: float = 0.0
    lock_rate: float = 0.0
    latency_ms: int = 0
    api_disabled: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise SandboxConfigError(f"port {self.port} is not between 0 and 65535")
        for name in ("fail_rate", "lock_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise SandboxConfigError(f"{name} {rate} is not a fraction between 0 and 1")
        if self.api_limit < 0:
            raise SandboxConfigError(f"api_limit {self.api_limit} cannot be negative")
        if self.session_lifetime <= 0:
            raise SandboxConfigError(f"session_lifetime {self.session_lifetime} must be positive")
        if self.latency_ms < 0:
            raise SandboxConfigError(f"latency_ms {self.latency_ms} cannot be negative")
        for name in ("client_id", "client_secret", "username", "password"):
            if not getattr(self, name):
                raise SandboxConfigError(f"{name} cannot be empty")
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise SandboxConfigError(f"data folder {self.data_dir} is a file, not a folder")
        if self.schema_dir is not None and not self.schema_dir.is_dir():
            raise SandboxConfigError(f"schema folder {self.schema_dir} does not exist")


def url_host(host: str) -> str:
    """The host as it goes in a URL: a wildcard bind is reached as localhost, IPv6 in brackets."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - naming the wildcard, not binding to it
        return "localhost"
    try:
        is_v6 = ipaddress.ip_address(host).version == 6
    except ValueError:
        is_v6 = False
    return f"[{host}]" if is_v6 else host
