"""`service status` says how many activity windows are parked or held, as the push does: the
scheduler's pushes say it nowhere else, and the activities stream reads OK all the while."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce

from forcebridge.cli.activities import held_notice, unwritten_notices
from forcebridge.jobs.runtime import open_runtime
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.repositories.services import get_service
from forcebridge.sync.connections import open_client
from tests.cli.conftest import Cli, document, settings_of
from tests.cli.pull_setup import connected_service
from tests.sync.activity_world import parked_and_held

WINDOWS = "forcebridge activities windows --service acme/shop"
PARKED = (
    "1 activity window of acme/shop is parked (its conversations are not in Salesforce): "
    f"see why with {WINDOWS}, then try it again with {WINDOWS} --retry"
)
HELD = (
    "2 activity windows of acme/shop are held (their contact has no Salesforce record the "
    f"service logs to; written once the pull links one): see which with {WINDOWS}"
)


@pytest.fixture
def cli_env(cli_env_on_each_backend: dict[str, str]) -> dict[str, str]:
    return cli_env_on_each_backend


def test_parked_and_held_windows_are_counted_and_said_under_the_streams(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer, sf: Salesforce
) -> None:
    service = connected_service(cli, sandbox)
    with open_runtime(settings_of(cli_env)) as runtime, runtime.sessions() as session:
        shop = get_service(session, service)
        assert shop.connection is not None
        with open_client(session, shop.connection) as client:
            parked_and_held(session, shop, client, sf, parked=1, held=2)

    status = document(cli("service", "status", service, "--json"))
    shown = cli("service", "status", service)
    pushed = cli("activities", "push", "--service", service)

    assert status["activity_windows"] == {"parked": 1, "held": 2}
    activities = next(s for s in status["streams"] if s["stream"] == "activities")
    assert activities["status"] == "OK"  # what nothing but the counts would say
    assert f"{PARKED}\n" in shown.stdout and f"{PARKED}\n" in pushed.stderr  # the push's line
    assert f"{HELD}\n" in shown.stdout
    assert shown.stdout.index("activities") < shown.stdout.index(PARKED)  # under the table


def test_a_service_with_every_window_written_says_nothing_of_them(
    cli: Cli, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox)

    status = document(cli("service", "status", service, "--json"))
    shown = cli("service", "status", service)

    assert status["activity_windows"] == {"parked": 0, "held": 0}
    assert "parked" not in shown.stdout and "held" not in shown.stdout


def test_a_service_without_a_connection_has_no_counts(cli: Cli) -> None:
    """It has pushed nothing, as it has no streams: null, not counts that read as all is
    well."""
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")

    status = document(cli("service", "status", "acme/shop", "--json"))

    assert (status["streams"], status["activity_windows"]) == ([], None)


def test_one_held_window_is_said_as_its_contact_and_one_parked_as_it() -> None:
    assert held_notice("acme/shop", 1).startswith(
        "1 activity window of acme/shop is held (its contact has no Salesforce record"
    )
    assert held_notice("acme/shop", 2).startswith(
        "2 activity windows of acme/shop are held (their contact has"
    )
    [parked] = unwritten_notices("acme/shop", 0, 2)
    assert "are parked (their conversations" in parked and "then try them again" in parked
