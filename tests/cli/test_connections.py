from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import requests

from forcebridge.jobs.policy import FailureKind, StreamFailure, after_failure
from forcebridge.jobs.runtime import open_runtime
from forcebridge.jobs.schedules import load_state, save_state
from forcebridge.salesforce.endpoints import trusted_sandbox
from forcebridge.salesforce.oauth import ConnectedApp, OAuthClient
from forcebridge.sandbox.clients import trusting_session
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import Connection
from forcebridge.store.repositories.connections import get_connection
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.types import utcnow
from forcebridge.sync.web_connect import finish_web_connect, start_web_connect
from tests.cli.conftest import Cli, document, password_grant_args, settings_of
from tests.oauth_browser import allow_access, callback_params

MakeSandbox = Callable[..., SandboxServer]


def api_call(server: SandboxServer, access_token: str) -> requests.Response:
    return trusting_session(server.ca_file).get(
        f"{server.base_url}/services/data/v62.0/limits",
        headers={"Authorization": f"Bearer {access_token}"},
    )


def oauth_of(server: SandboxServer) -> OAuthClient:
    endpoint = trusted_sandbox(server.base_url, server.ca_file)
    return OAuthClient(endpoint, ConnectedApp(server.config.client_id, server.config.client_secret))


def web_connection(cli_env: dict[str, str], server: SandboxServer) -> Connection:
    """A connection made in the admin pages' way (the web flow), in the command's database."""
    with open_runtime(settings_of(cli_env)) as runtime, runtime.sessions() as session:
        pending = start_web_connect(
            "acme",
            "main",
            server.base_url,
            "http://localhost:1717/OauthRedirect",
            server.config.client_id,
            server.config.client_secret,
            server.ca_file,
        )
        callback = callback_params(allow_access(server, pending.authorize_url))
        return finish_web_connect(session, pending, callback)


def connected(cli: Cli, server: SandboxServer, name: str = "main") -> None:
    cli("org", "create", "acme")
    assert cli(*password_grant_args(server, name=name)).exit_code == 0


def test_connections_are_listed_with_their_status(cli: Cli, sandbox: SandboxServer) -> None:
    connected(cli, sandbox)

    listed = document(cli("connections", "list", "--json"))["connections"]
    shown = cli("connections", "list").stdout

    assert [(c["org"], c["name"], c["status"]) for c in listed] == [("acme", "main", "Connected")]
    assert "acme/main" in shown
    assert "Connected" in shown


def test_status_rolls_up_per_org_and_the_check_records_api_usage(
    cli: Cli, sandbox: SandboxServer
) -> None:
    connected(cli, sandbox)
    cli("org", "create", "empty")

    status = document(cli("connections", "status", "--check", "--json"))

    acme, empty = status["orgs"]
    assert (acme["org"], acme["status"], acme["problem"]) == ("acme", "Connected", None)
    [main] = acme["connections"]
    assert main["api_usage"]["limit"] == sandbox.config.api_limit
    assert (empty["status"], empty["problem"]) == ("Needs Attention", "not_connected")


def test_a_check_of_an_org_without_api_access_says_what_to_do(
    cli: Cli, make_sandbox: MakeSandbox
) -> None:
    connected(cli, make_sandbox(api_disabled=True))

    checked = cli("connections", "status", "--org", "acme", "--check", "--json")
    status = json.loads(checked.stdout)
    shown = cli("connections", "status").stdout

    assert checked.exit_code == 1  # the check failed: a script or health probe learns it
    assert "Not connected: acme/main (api_disabled)\n" in checked.stderr
    [acme] = status["orgs"]
    assert (acme["status"], acme["problem"]) == ("Needs Attention", "api_disabled")
    assert acme["reason"].startswith("Connection 'main': This Salesforce org has no API access")
    assert "Needs Attention" in shown
    assert "edition" in shown


def test_a_revoked_authorization_asks_for_a_reconnect(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    cli("org", "create", "acme")
    refresh_token = web_connection(cli_env, sandbox).refresh_token
    oauth_of(sandbox).revoke(refresh_token or "")  # as an admin revoking access in Salesforce

    checked = cli("connections", "status", "--check", "--json")

    [main] = json.loads(checked.stdout)["orgs"][0]["connections"]
    assert checked.exit_code == 1
    assert (main["status"], main["problem"]) == ("Needs Attention", "authentication_lost")
    assert "reconnect to Salesforce" in main["reason"]


def test_disconnect_revokes_the_token_and_leaves_the_connection_needing_attention(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    connected(cli, sandbox)
    with open_runtime(settings_of(cli_env)) as runtime, runtime.sessions() as session:
        token = get_connection(session, get_org(session, "acme"), "main").access_token
    assert token and api_call(sandbox, token).status_code == 200

    disconnected = document(cli("connections", "disconnect", "--org", "acme", "main", "--json"))
    rechecked = cli("connections", "status", "--check", "--json")
    checked = json.loads(rechecked.stdout)

    assert rechecked.exit_code == 1
    assert api_call(sandbox, token).status_code == 401
    assert (disconnected["status"], disconnected["problem"]) == ("Needs Attention", "not_connected")
    assert "Reconnect" in disconnected["reason"]
    assert checked["orgs"][0]["connections"][0]["problem"] == "not_connected"


def test_disconnecting_an_unknown_connection_is_an_error(cli: Cli) -> None:
    cli("org", "create", "acme")

    result = cli("connections", "disconnect", "--org", "acme", "ghost")

    assert result.exit_code == 1
    assert "connection 'acme/ghost' does not exist" in result.stderr


def test_a_reconnect_lifts_the_flag_a_lost_login_put_on_the_services_streams(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    cli("org", "create", "acme")
    refresh_token = web_connection(cli_env, sandbox).refresh_token
    assert cli("service", "create", "acme/shop").exit_code == 0
    assert cli("service", "configure", "acme/shop", "--pull", "contacts").exit_code == 0
    oauth_of(sandbox).revoke(refresh_token or "")
    assert cli("pull", "--service", "acme/shop").exit_code == 1
    flagged = streams_of(cli, "acme/shop")["pull:Contact"]

    assert cli(*password_grant_args(sandbox, name="main")).exit_code == 0

    lifted = streams_of(cli, "acme/shop")["pull:Contact"]
    assert (flagged["status"], flagged["problem"]) == ("Needs Attention", "authentication_lost")
    assert (lifted["status"], lifted["problem"], lifted["reason"]) == ("OK", None, None)
    assert lifted["next_run_at"] <= utcnow().isoformat()


def test_a_disconnect_flags_the_services_streams_at_once_and_a_reconnect_lifts_it(
    cli: Cli, sandbox: SandboxServer
) -> None:
    connected(cli, sandbox)
    assert cli("service", "create", "acme/shop").exit_code == 0
    assert cli("connections", "disconnect", "main", "--org", "acme").exit_code == 0
    flagged = streams_of(cli, "acme/shop")

    assert cli(*password_grant_args(sandbox, name="main")).exit_code == 0

    lifted = streams_of(cli, "acme/shop")
    assert {s["problem"] for s in flagged.values()} == {"not_connected"}
    assert all("Disconnected on" in s["reason"] for s in flagged.values())
    assert {s["status"] for s in lifted.values()} == {"OK"}


def streams_of(cli: Cli, service: str) -> dict[str, dict[str, Any]]:
    status = document(cli("service", "status", service, "--json"))
    return {stream["stream"]: stream for stream in status["streams"]}


def flag(cli_env: dict[str, str], stream: str, problem: str) -> None:
    """The one service's `stream` flagged `problem`, as a run that found it would flag it."""
    failure = StreamFailure(FailureKind.NEEDS_ATTENTION, problem, f"{problem} (a failed run)")
    with open_runtime(settings_of(cli_env)) as runtime, runtime.engine.begin() as connection:
        service_id = connection.exec_driver_sql("SELECT id FROM services").scalar_one()
        flagged = after_failure(load_state(connection, service_id, stream), failure, utcnow())
        save_state(connection, service_id, stream, flagged)


def test_a_push_that_asked_salesforce_nothing_leaves_a_lost_login_flagged(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    """The authorization is revoked and the connection says so; a push with nothing new to
    write succeeds without a call, which proves nothing of the login: the stream still needs
    attention, as its connection does."""
    cli("org", "create", "acme")
    refresh_token = web_connection(cli_env, sandbox).refresh_token
    assert cli("service", "create", "acme/shop").exit_code == 0
    assert cli("activities", "push", "--service", "acme/shop").exit_code == 0  # describes Task
    oauth_of(sandbox).revoke(refresh_token or "")
    assert cli("connections", "status", "--check").exit_code == 1
    flag(cli_env, "activities", "authentication_lost")  # as a push with a message to write did

    pushed = document(cli("activities", "push", "--service", "acme/shop", "--json"))
    kept = streams_of(cli, "acme/shop")["activities"]

    assert (pushed["status"], pushed["api_calls"]) == ("succeeded", 0)
    assert (kept["status"], kept["problem"], kept["failures"]) == (
        "Needs Attention",
        "authentication_lost",
        1,
    )


def test_the_api_usage_shown_is_as_fresh_as_the_last_sync(cli: Cli, sandbox: SandboxServer) -> None:
    connected(cli, sandbox)
    assert cli("service", "create", "acme/shop").exit_code == 0
    before = document(cli("connections", "list", "--json"))["connections"][0]["api_usage"]

    assert cli("pull", "--service", "acme/shop").exit_code == 0

    after = document(cli("connections", "list", "--json"))["connections"][0]["api_usage"]
    assert before is None
    assert after["limit"] == sandbox.config.api_limit
    assert after["used"] >= 2  # the pull's reads, as Salesforce counted them


def test_a_connection_made_in_the_browser_is_listed_with_its_user(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    cli("org", "create", "acme")
    web_connection(cli_env, sandbox)

    [listed] = document(cli("connections", "list", "--json"))["connections"]

    assert (listed["name"], listed["username"]) == ("main", sandbox.config.username)


def test_a_connection_no_service_uses_can_be_removed_and_the_org_is_connected_again(
    cli: Cli, sandbox: SandboxServer
) -> None:
    connected(cli, sandbox, "main")
    assert cli("service", "create", "acme/shop").exit_code == 0
    assert cli(*password_grant_args(sandbox, name="trial")).exit_code == 0
    cli("connections", "disconnect", "--org", "acme", "trial")
    degraded = document(cli("connections", "status", "--json"))["orgs"][0]["status"]

    removed = document(cli("connections", "remove", "--org", "acme", "trial", "--json"))
    refused = cli("connections", "remove", "--org", "acme", "main", "--json")

    assert degraded == "Needs Attention"
    assert removed == {"org": "acme", "name": "trial", "removed": True}
    listed = document(cli("connections", "list", "--json"))["connections"]
    assert [c["name"] for c in listed] == ["main"]
    assert document(cli("connections", "status", "--json"))["orgs"][0]["status"] == "Connected"
    assert refused.exit_code == 1
    assert "used by acme/shop" in json.loads(refused.stdout)["error"]


def test_a_process_given_another_secret_key_refuses_before_sealing_anything_with_it(
    cli: Cli, sandbox: SandboxServer
) -> None:
    cli("org", "create", "acme")
    assert cli(*password_grant_args(sandbox)).exit_code == 0
    cli("org", "create", "other")
    wrong = {"FORCEBRIDGE_SECRET_KEY": "another-key-another-key-another-key-12345"}
    elsewhere = [*password_grant_args(sandbox)]
    elsewhere[elsewhere.index("acme")] = "other"

    listed = cli("connections", "list", "--json", env=wrong)
    connected = cli(*elsewhere, "--json", env=wrong)

    for refused in (listed, connected):
        assert refused.exit_code == 1
        assert "stored secrets were sealed with key" in json.loads(refused.stdout)["error"]
    assert [c["org"] for c in document(cli("connections", "list", "--json"))["connections"]] == [
        "acme"
    ]


def test_a_check_that_goes_through_lets_streams_flagged_for_api_access_run_again(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    """The admin enabled the API in Salesforce and checked the connection: the streams its
    absence flagged run at the next tick, without a reconnect or a retry."""
    connected(cli, sandbox)
    assert cli("service", "create", "acme/shop").exit_code == 0
    streams_of(cli, "acme/shop")  # scheduled
    flag(cli_env, "pull:Contact", "api_disabled")
    before = streams_of(cli, "acme/shop")["pull:Contact"]

    assert cli("connections", "status", "--check").exit_code == 0

    after = streams_of(cli, "acme/shop")["pull:Contact"]
    assert (before["status"], before["problem"]) == ("Needs Attention", "api_disabled")
    assert (after["status"], after["problem"]) == ("OK", None)
