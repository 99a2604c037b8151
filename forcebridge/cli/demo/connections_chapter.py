"""Chapter: an org, its services, and a connection to the sandbox org."""

from __future__ import annotations

from forcebridge.cli.demo.commands import CommandRunner
from forcebridge.cli.demo.narration import Narrator
from forcebridge.sandbox.server import SandboxServer

ORG = "acme"
SERVICES = (("acme/support", "Europe/Paris", "FR"), ("acme/sales", "America/New_York", "US"))


def connect_org(narrator: Narrator, run: CommandRunner, server: SandboxServer) -> None:
    narrator.chapter(
        "Connect a customer's org",
        "An org is a customer of the product; each service has its own contact book and time "
        "zone. The connection's tokens are encrypted at rest and never printed.",
    )
    run(["org", "create", ORG])
    config = server.config
    login = [
        "connect", "--org", ORG, "--name", "main", "--password-grant",
        "--login-url", server.base_url, "--ca-file", str(server.ca_file),
        "--client-id", config.client_id, "--username", config.username,
    ]  # fmt: skip
    secrets = ["--client-secret", config.client_secret, "--password", config.password]
    run(login + secrets, show=[*login, "--client-secret", "…", "--password", "…"])
    for service, zone, region in SERVICES:
        run(["service", "create", service, "--timezone", zone, "--region", region])
    run(["connections", "status", "--org", ORG, "--check"])
    narrator.found("Connection", f"org {ORG!r} connected to the sandbox by the password grant")
