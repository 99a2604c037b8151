"""An org connected to the sandbox with one service, as the pull commands' tests start."""

from __future__ import annotations

from forcebridge.sandbox.server import SandboxServer
from tests.cli.conftest import Cli, password_grant_args


def connected_service(cli: Cli, sandbox: SandboxServer, *extra: str) -> str:
    """`acme/shop` on a connection to `sandbox`, configured with `extra` options."""
    assert cli("org", "create", "acme").exit_code == 0
    assert cli(*password_grant_args(sandbox)).exit_code == 0
    assert cli("service", "create", "acme/shop").exit_code == 0
    if extra:
        configured = cli("service", "configure", "acme/shop", *extra)
        assert configured.exit_code == 0, configured.stderr
    return "acme/shop"
