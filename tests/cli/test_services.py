from __future__ import annotations

from forcebridge.sandbox.server import SandboxServer
from tests.cli.conftest import Cli, document, password_grant_args

SERVICE_KEYS = {"org", "name", "path", "timezone", "region", "connection"}


def test_a_service_uses_the_orgs_only_connection(cli: Cli, sandbox: SandboxServer) -> None:
    cli("org", "create", "acme")
    assert cli(*password_grant_args(sandbox, name="main")).exit_code == 0

    created = document(
        cli(
            "service",
            "create",
            "acme/shop",
            "--timezone",
            "Europe/Paris",
            "--region",
            "fr",
            "--json",
        )
    )

    assert set(created) == SERVICE_KEYS
    assert created == {
        "org": "acme",
        "name": "shop",
        "path": "acme/shop",
        "timezone": "Europe/Paris",
        "region": "FR",
        "connection": "main",
    }
    assert document(cli("service", "list", "--org", "acme", "--json"))["services"] == [created]


def test_with_several_connections_the_service_must_name_one(
    cli: Cli, sandbox: SandboxServer
) -> None:
    cli("org", "create", "acme")
    cli(*password_grant_args(sandbox, name="eu"))
    cli(*password_grant_args(sandbox, name="us"))

    unnamed = cli("service", "create", "acme/shop")
    named = document(cli("service", "create", "acme/shop", "--connection", "us", "--json"))

    assert unnamed.exit_code == 1
    assert "2 Salesforce connections (eu, us): choose" in unnamed.stderr
    assert named["connection"] == "us"


def test_a_service_without_connections_yet_is_created_unconnected(cli: Cli) -> None:
    cli("org", "create", "acme")

    created = document(cli("service", "create", "acme/shop", "--json"))

    assert (created["timezone"], created["region"], created["connection"]) == ("UTC", "US", None)


def test_a_wrong_zone_region_or_path_is_refused_and_nothing_is_stored(cli: Cli) -> None:
    cli("org", "create", "acme")

    for args, message in [
        (["acme/shop", "--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["acme/shop", "--region", "XX"], "unknown phone region 'XX'"),
        (["shop"], "must be written ORG/SERVICE"),
        (["nobody/shop"], "org 'nobody' does not exist"),
        (["acme/shop", "--connection", "ghost"], "connection 'acme/ghost' does not exist"),
    ]:
        refused = cli("service", "create", *args)
        assert refused.exit_code == 1
        assert message in refused.stderr
    assert document(cli("service", "list", "--json")) == {"services": []}
