from __future__ import annotations

import json
import re

import pytest

from forcebridge.cli.services import _zone_cell
from forcebridge.jobs.policy import FailureKind, StreamFailure, after_failure
from forcebridge.jobs.runtime import open_runtime
from forcebridge.jobs.schedules import load_state, save_state
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.repositories.services import get_service
from forcebridge.store.types import utcnow
from tests.cli.conftest import Cli, document, password_grant_args, settings_of
from tests.cli.pull_setup import connected_service

SERVICE_KEYS = {"org", "name", "path", "timezone", "timezone_change", "region", "connection"}


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
        "timezone_change": None,
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
    assert "2 Salesforce connections (eu, us): name one with --connection NAME" in unnamed.stderr
    assert named["connection"] == "us"


def test_a_service_that_exists_is_said_to_before_its_connection_is_asked_for(
    cli: Cli, sandbox: SandboxServer
) -> None:
    cli("org", "create", "acme")
    cli(*password_grant_args(sandbox, name="eu"))
    cli(*password_grant_args(sandbox, name="us"))
    assert cli("service", "create", "acme/shop", "--connection", "us").exit_code == 0

    again = cli("service", "create", "acme/shop", "--json")

    assert again.exit_code == 1
    assert json.loads(again.stdout) == {"error": "service 'acme/shop' already exists"}


def test_a_service_without_connections_yet_is_created_unconnected(cli: Cli) -> None:
    cli("org", "create", "acme")

    created = document(cli("service", "create", "acme/shop", "--json"))

    assert (created["timezone"], created["region"], created["connection"]) == ("UTC", "US", None)


def test_a_service_made_before_the_orgs_first_connection_takes_it(
    cli: Cli, sandbox: SandboxServer
) -> None:
    cli("org", "create", "acme")
    cli("service", "create", "acme/early")
    assert cli(*password_grant_args(sandbox, name="main")).exit_code == 0
    cli("service", "create", "acme/later", "--connection", "main")
    assert cli(*password_grant_args(sandbox, name="second")).exit_code == 0

    services = document(cli("service", "list", "--org", "acme", "--json"))["services"]

    assert {s["name"]: s["connection"] for s in services} == {"early": "main", "later": "main"}
    assert cli("pull", "--service", "acme/early", "--json").exit_code == 0


@pytest.mark.parametrize("connected_first", [True, False])
def test_a_connected_service_has_its_streams_scheduled_at_once(
    cli: Cli, sandbox: SandboxServer, connected_first: bool
) -> None:
    cli("org", "create", "acme")
    steps = [password_grant_args(sandbox), ("service", "create", "acme/shop")]
    for step in steps if connected_first else reversed(steps):
        assert cli(*step).exit_code == 0

    status = document(cli("service", "status", "acme/shop", "--json"))

    assert {s["stream"]: s["status"] for s in status["streams"]} == {
        "pull:Lead": "OK",
        "pull:Contact": "OK",
        "activities": "OK",
        "reconcile": "OK",
    }


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


def test_an_over_long_zone_is_refused_in_json_not_a_traceback(cli: Cli) -> None:
    cli("org", "create", "acme")

    refused = cli("service", "create", "acme/shop", "--timezone", "Z" * 300, "--json")

    assert refused.exit_code == 1
    assert json.loads(refused.stdout) == {
        "error": f"unknown time zone {'Z' * 40!r}... (300 characters): use an IANA name such "
        "as 'Europe/Paris' or 'UTC'"
    }
    assert document(cli("service", "list", "--json")) == {"services": []}


def test_status_shows_each_stream_and_a_failure_that_needs_attention(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox, "--pull", "contacts")
    with open_runtime(settings_of(cli_env)) as runtime, runtime.sessions() as session:
        found = get_service(session, service)
        state = load_state(session.connection(), found.id, "pull:Contact")
        failure = StreamFailure(
            FailureKind.NEEDS_ATTENTION,
            "mapping_invalid",
            "The mapping has 1 problem: row 2: Contact has no field 'Region__c'",
        )
        save_state(session.connection(), found.id, "pull:Contact",
                   after_failure(state, failure, utcnow()))  # fmt: skip
        session.commit()

    status = document(cli("service", "status", service, "--json"))

    streams = {s["stream"]: s for s in status["streams"]}
    assert status["service"] == service
    assert set(streams) >= {"pull:Contact", "activities", "reconcile"}
    assert streams["pull:Contact"]["status"] == "Needs Attention"
    assert streams["pull:Contact"]["problem"] == "mapping_invalid"
    assert "Region__c" in streams["pull:Contact"]["reason"]
    assert streams["activities"]["status"] == "OK"
    assert streams["pull:Contact"]["every_minutes"] == 5


def test_a_stream_the_settings_turned_off_shows_no_interval_nor_next_run(
    cli: Cli, sandbox: SandboxServer
) -> None:
    """pull:Lead after the service pulls Contacts only: its row's old 2 minutes read as if it
    still ran, beside settings that say 7."""
    service = connected_service(cli, sandbox, "--pull-every", "2")
    configured = cli("service", "configure", service, "--pull", "contacts", "--pull-every", "7")
    assert configured.exit_code == 0, configured.stderr

    status = document(cli("service", "status", service, "--json"))
    shown = cli("service", "status", service)

    streams = {s["stream"]: s for s in status["streams"]}
    assert streams["pull:Lead"] == {
        "stream": "pull:Lead", "status": "Off", "problem": None, "reason": None,
        "every_minutes": None, "next_run_at": None, "failures": 0,
    }  # fmt: skip
    assert streams["pull:Contact"]["every_minutes"] == 7
    rows = {line.split("│")[1].strip(): line for line in shown.stdout.splitlines() if "│" in line}
    assert [cell.strip() for cell in rows["pull:Lead"].split("│")[2:5]] == ["Off", "-", "-"]


def test_status_says_when_each_stream_runs_next_as_a_person_reads_it(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    """Not the JSON's ISO time with microseconds, cut at 80 columns; an overdue stream is due
    now, not at a time past."""
    service = connected_service(cli, sandbox, "--pull", "contacts")
    with open_runtime(settings_of(cli_env)) as runtime, runtime.sessions() as session:
        found = get_service(session, service)
        state = load_state(session.connection(), found.id, "pull:Contact")
        failure = StreamFailure(FailureKind.NEEDS_ATTENTION, "mapping_invalid", "A problem")
        save_state(session.connection(), found.id, "pull:Contact",
                   after_failure(state, failure, utcnow()))  # fmt: skip
        session.commit()

    shown = cli("service", "status", service)

    assert shown.exit_code == 0
    rows = {line.split("│")[1].strip(): line for line in shown.stdout.splitlines() if "│" in line}
    next_run = re.search(r"│ in (1 h|(\d+) min) \(\d\d:\d\d UTC\) +│", rows["pull:Contact"])
    assert next_run is not None and int(next_run.group(2) or 60) >= 55  # a slow machine's minutes
    assert re.search(r"│ due now +│", rows["activities"])  # due since the connection
    assert re.search(r"│ on \d{4}-\d\d-\d\d \d\d:\d\d UTC +│", rows["reconcile"])  # daily
    assert not re.search(r"\d\d:\d\d:\d\d", shown.stdout)


def test_the_zone_cell_names_every_zone_the_days_are_counted_in_until_the_change(
    cli: Cli, cli_env: dict[str, str]
) -> None:
    """A change to Paris cancelled after days were written in Paris: New York's days, Paris's
    written ones, then New York's again (not "New York, then New York")."""
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop", "--timezone", "America/New_York")
    with open_runtime(settings_of(cli_env)) as runtime, runtime.sessions() as session:
        get_service(session, "acme/shop").timezone_changes = [
            {"zone": "America/New_York", "until": "2100-12-07T05:00:00+00:00"},
            {"zone": "Europe/Paris", "until": "2100-12-08T23:00:00+00:00"},
        ]
        session.commit()

    [listed] = document(cli("service", "list", "--json"))["services"]

    assert _zone_cell(listed) == (
        "America/New_York until 2100-12-07 05:00Z, then Europe/Paris until 2100-12-08 23:00Z, "
        "then America/New_York"
    )


@pytest.mark.parametrize(
    "command",
    [("pull",), ("contacts", "list"), ("activities", "push"), ("runs", "list")],
    ids=" ".join,
)
def test_a_service_not_written_org_slash_service_is_a_command_line_that_does_not_parse(
    cli: Cli, command: tuple[str, ...]
) -> None:
    refused = cli(*command, "--service", "acme", "--json")

    assert refused.exit_code == 2
    assert json.loads(refused.stdout) == {
        "error": "Invalid value for '--service': service 'acme' must be written ORG/SERVICE, "
        "e.g. acme/support"
    }
