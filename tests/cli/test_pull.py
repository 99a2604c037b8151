from __future__ import annotations

import datetime as dt
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from forcebridge.jobs.runtime import open_runtime
from forcebridge.sandbox.seed import seed
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import PullObjects
from forcebridge.store.repositories.leases import REHEARSAL, take_lease
from forcebridge.store.repositories.runs import start_run
from forcebridge.store.repositories.services import get_service
from forcebridge.store.types import utcnow
from forcebridge.sync.documents import PULL_COUNTS
from tests.cli.conftest import Cli, document, settings_of, stopped_by
from tests.cli.pull_setup import (
    connected_service,
    custom_contact_field,
    mapping_of_a_deleted_field,
    set_contact_mapping,
)
from tests.conftest import SandboxFactory

TTL = dt.timedelta(minutes=5)
PULL_KEYS = [
    "run_id",
    "status",
    "read",
    "created",
    "updated",
    "unchanged",
    "skipped",
    "failed",
    "api_calls",
    "error",
]


def test_pull_reports_the_run_with_exactly_its_keys(cli: Cli, sandbox: SandboxServer) -> None:
    service = connected_service(cli, sandbox, "--pull", "leads")
    sandbox.org.create(
        "Lead", {"LastName": "Lee", "Company": "Initech", "Email": "lee@initech.com"}
    )

    first = document(cli("pull", "--service", service, "--json"))
    dry = document(cli("pull", "--service", service, "--dry-run", "--json"))

    assert list(first) == PULL_KEYS
    assert (first["status"], first["failed"]) == ("succeeded", 0)
    assert first["created"] == first["read"] >= 1
    assert first["api_calls"] >= 1
    assert dry["created"] == 0 and dry["run_id"] != first["run_id"]


def test_a_service_without_a_connection_cannot_pull(cli: Cli) -> None:
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")

    result = cli("pull", "--service", "acme/shop", "--json")

    assert result.exit_code == 1
    assert "has no Salesforce connection" in result.stderr
    assert json.loads(result.stdout) == {
        "error": "service acme/shop has no Salesforce connection: connect its org first"
    }


def test_a_pull_on_demand_flags_a_stream_that_cannot_run_and_clears_it_once_fixed(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """What a pull from the command line finds is what `service status` and the admin pages
    show: an admin who fixed the mapping and pulled by hand is not told it still needs them."""
    service = connected_service(cli, sandbox, "--pull", "contacts")
    mapping_of_a_deleted_field(cli, sandbox, service, tmp_path)

    failed = cli("pull", "--service", service, "--json")
    flagged = _stream(cli, service, "pull:Contact")
    set_contact_mapping(cli, service, tmp_path, ("LastName", "last_name"))
    pulled = cli("pull", "--service", service, "--json")
    cleared = _stream(cli, service, "pull:Contact")

    assert failed.exit_code == 1
    reported = json.loads(failed.stdout)
    assert reported["status"] == "failed"
    assert reported["error"].startswith("pull:Contact: ")  # a script reads why, by stream
    assert "Tier__c" in reported["error"] and "Tier__c" in failed.stderr
    assert (flagged["status"], flagged["problem"]) == ("Needs Attention", "mapping_invalid")
    assert "Tier__c" in flagged["reason"]
    assert pulled.exit_code == 0
    assert json.loads(pulled.stdout)["error"] is None
    assert cleared["status"] == "OK"


def test_a_dry_run_leaves_the_schedule_alone(cli: Cli, sandbox: SandboxServer) -> None:
    service = connected_service(cli, sandbox, "--pull", "contacts")
    before = _stream(cli, service, "pull:Contact")

    assert cli("pull", "--service", service, "--dry-run").exit_code == 0
    after = _stream(cli, service, "pull:Contact")
    checked = utcnow()

    due = dt.datetime.fromisoformat(after.pop("next_run_at"))
    assert due <= checked  # still due: a dry run is no run
    assert after == {key: value for key, value in before.items() if key != "next_run_at"}


def test_a_pull_above_the_bulk_threshold_set_in_the_environment_reads_through_bulk_api(
    cli: Cli, make_sandbox: SandboxFactory
) -> None:
    """A read larger than its first REST page (2,000 records) and the threshold goes through
    Bulk API 2.0."""
    sandbox = make_sandbox()
    seed(sandbox.org, contacts=2_100, leads=0, accounts=5, seed=7)
    service = connected_service(cli, sandbox, "--pull", "contacts")

    pulled = cli(
        "pull", "--service", service, "--json", env={"FORCEBRIDGE_PULL_BULK_THRESHOLD": "2050"}
    )

    assert (document(pulled)["status"], document(pulled)["created"]) == ("succeeded", 2_100)
    assert sandbox.usage().by_kind.get("bulk", 0) > 0


def _stream(cli: Cli, service: str, name: str) -> dict[str, Any]:
    streams = document(cli("service", "status", service, "--json"))["streams"]
    return next(s for s in streams if s["stream"] == name)


def test_a_narrowed_routing_rule_unlinks_at_the_next_pull_what_it_no_longer_admits(
    cli: Cli, sandbox: SandboxServer
) -> None:
    wide = "MailingState IN ('CA', 'NY') AND LastName LIKE 'Router%'"
    service = connected_service(cli, sandbox, "--pull", "contacts", "--routing", wide)
    sandbox.org.create("Contact", {"LastName": "RouterWest", "MailingState": "CA"})
    sandbox.org.create("Contact", {"LastName": "RouterEast", "MailingState": "NY"})
    assert document(cli("pull", "--service", service, "--json"))["created"] == 2

    narrow = "MailingState = 'CA' AND LastName LIKE 'Router%'"
    assert cli("service", "configure", service, "--routing", narrow).exit_code == 0
    dry = document(cli("pull", "--service", service, "--dry-run", "--json"))
    pulled = document(cli("pull", "--service", service, "--json"))
    again = document(cli("pull", "--service", service, "--full", "--json"))

    assert (dry["updated"], pulled["updated"], again["updated"]) == (1, 1, 0)
    listed = document(cli("contacts", "list", "--service", service, "--json"))["contacts"]
    contacts = {c["last_name"]: c for c in listed}
    east, west = contacts["RouterEast"], contacts["RouterWest"]
    assert (east["deleted_in_source"], east["identities"]) == (True, [])
    assert not west["deleted_in_source"] and len(west["identities"]) == 1
    log = document(cli("runs", "show", str(pulled["run_id"]), "--json"))
    assert [entry["code"] for entry in log["log"]] == ["left_scope"]


def test_a_record_whose_phone_and_email_find_two_contacts_logs_the_ambiguity(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    service = connected_service(cli, sandbox, "--pull", "contacts")
    crm = tmp_path / "crm.csv"
    crm.write_text("first_name,email,phone\nBy Phone,,(212) 555-0150\nBy Email,third@amb.com,\n")
    assert (
        cli("contacts", "import", "--service", service, str(crm), "--source", "crm").exit_code == 0
    )
    sandbox.org.create(
        "Contact", {"LastName": "Both", "Phone": "2125550150", "Email": "THIRD@amb.com"}
    )

    pulled = document(cli("pull", "--service", service, "--json"))
    log = document(cli("runs", "show", str(pulled["run_id"]), "--json"))["log"]
    contacts = document(cli("contacts", "list", "--service", service, "--json"))["contacts"]

    [by_phone] = [c for c in contacts if c["last_name"] == "Both"]
    [by_email] = [c for c in contacts if c["first_name"] == "By Email"]
    assert [i["source"] for i in by_phone["identities"]] == ["csv:crm", "salesforce:Contact"]
    assert f"matched contact #{by_phone['id']} by phone; also matched #{by_email['id']}" in [
        e["message"] for e in log if e["code"] == "ambiguous_match"
    ]


def test_a_saved_query_too_long_to_send_fails_its_run_with_one_json_document(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    """A query saved before such queries were refused: the run fails, naming why."""
    service = connected_service(cli, sandbox, "--pull", "contacts")
    huge = " OR ".join(f"LastName = 'n{n}'" for n in range(1_500))
    with open_runtime(settings_of(cli_env)) as runtime, runtime.sessions() as session:
        found = get_service(session, service)
        found.pull_objects = PullObjects.CUSTOM
        found.pull_soql = f"SELECT Id, Email FROM Contact WHERE {huge}"
        session.commit()

    pulled = cli("pull", "--service", service, "--json")
    runs = document(cli("runs", "list", "--service", service, "--json"))["runs"]

    assert pulled.exit_code == 1
    assert json.loads(pulled.stdout)["status"] == "failed"
    assert "too long for Salesforce" in pulled.stderr
    assert "running" not in [run["status"] for run in runs]


def test_a_saved_query_that_no_longer_parses_flags_its_stream_from_the_command_line(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    """A query saved by an older forcebridge that this one's parser refuses: the run of the
    custom stream fails, and the stream needs an admin, as the scheduler would say."""
    service = connected_service(cli, sandbox, "--soql", "SELECT Id, Email, LastName FROM Contact")
    with open_runtime(settings_of(cli_env)) as runtime, runtime.sessions() as session:
        found = get_service(session, service)
        found.pull_soql = "SELECT Id, Email FROM Contact WHERE (LastName = 'Lee'"
        session.commit()

    pulled = cli("pull", "--service", service, "--json")
    (run,) = document(cli("runs", "list", "--service", service, "--json"))["runs"]
    custom = _stream(cli, service, "pull:custom")

    assert pulled.exit_code == 1
    assert "does not parse" in pulled.stderr
    assert run["stream"] == "pull:custom"
    assert (custom["status"], custom["problem"]) == ("Needs Attention", "query_invalid")


def test_a_pull_while_another_run_changes_the_contact_book_is_refused_without_a_run(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    """The daily reconciliation holds the book: a pull by hand says so and records no failed
    run, which the product would read from the runs as a sync gone wrong."""
    service = connected_service(cli, sandbox, "--pull", "contacts")
    with open_runtime(settings_of(cli_env)) as runtime, runtime.sessions() as session:
        service_id = get_service(session, service).id
        assert take_lease(runtime.engine, service_id, "reconcile", "worker at elsewhere:1:1", TTL)

    refused = cli("pull", "--service", service, "--json")
    runs = document(cli("runs", "list", "--service", service, "--json"))["runs"]

    assert refused.exit_code == 1
    assert "contact book (a pull or the daily reconciliation) is in progress" in refused.stdout
    assert runs == []


def test_reconcile_by_hand_unlinks_a_record_deleted_for_good(
    cli: Cli, sandbox: SandboxServer
) -> None:
    """An incremental pull cannot see a record purged from the recycle bin; the reconciliation,
    which a scheduler runs daily, can also be run by hand."""
    service = connected_service(cli, sandbox, "--pull", "contacts")
    purged = sandbox.org.create("Contact", {"LastName": "Purged Reconciled"})
    assert document(cli("pull", "--service", service, "--json"))["created"] >= 1
    with sandbox.org.storage.write() as connection:  # no API call does this
        connection.execute('DELETE FROM "Contact" WHERE "Id" = ?', (purged,))

    reconciled = cli("reconcile", "--service", service, "--json")
    contacts = document(cli("contacts", "list", "--service", service, "--json"))["contacts"]
    (contact,) = [c for c in contacts if c["last_name"] == "Purged Reconciled"]

    assert reconciled.exit_code == 0, reconciled.stderr
    assert list(json.loads(reconciled.stdout)) == PULL_KEYS
    assert (contact["deleted_in_source"], contact["identities"]) == (True, [])


def left_by_a_dead_process(
    cli_env: dict[str, str],
    service: str,
    lease: str,
    *,
    dry_run: bool,
    stream: str = "pull:Contact",
) -> int:
    """A run of `stream` of `service` left `running`, and `lease` held, by a process of this
    machine that has died (`kill -9`); the run's id."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          check=True, capture_output=True, text=True)  # fmt: skip
    dead = f"{socket.gethostname()}:{int(gone.stdout)}:1"
    with open_runtime(settings_of(cli_env)) as runtime, runtime.sessions() as session:
        found = get_service(session, service)
        killed = start_run(session, found.org, stream, service=found, dry_run=dry_run)
        session.commit()
        assert take_lease(runtime.engine, found.id, lease, dead, TTL)
        return killed.id


def test_a_dry_run_whose_process_died_is_settled_by_the_next_command(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    """A dry run writes nothing but its run: killed, it would read "running" for ever."""
    service = connected_service(cli, sandbox, "--pull", "contacts")
    killed = left_by_a_dead_process(cli_env, service, REHEARSAL, dry_run=True)

    rehearsed = cli("pull", "--service", service, "--dry-run", "--json")
    runs = document(cli("runs", "list", "--service", service, "--json"))["runs"]

    assert rehearsed.exit_code == 0, rehearsed.stderr
    settled = {r["run_id"]: r for r in runs}[killed]
    assert settled["status"] == "failed"
    assert "a dry run writes nothing" in settled["error"]  # nothing to retry
    assert "running" not in [r["status"] for r in runs]


def test_a_run_whose_process_died_reads_failed_in_the_next_look_at_the_runs(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    """`runs list` is a command too: no pull needs to come first for it to tell the truth."""
    service = connected_service(cli, sandbox, "--pull", "contacts")
    killed = left_by_a_dead_process(cli_env, service, "pull:Contact", dry_run=False)

    [run] = document(cli("runs", "list", "--service", service, "--json"))["runs"]
    stream = _stream(cli, service, "pull:Contact")

    assert (run["run_id"], run["status"]) == (killed, "failed")
    assert "stopped before the run finished" in run["error"]
    assert stream["status"] == "Retrying"


def test_a_pull_by_hand_of_both_objects_whose_process_died_counts_on_both_streams(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    """Its run is recorded as "pull", a stream no schedule has: each stream it ran for backs
    off, as each would after a scheduled run that died."""
    service = connected_service(cli, sandbox, "--pull", "both")
    killed = left_by_a_dead_process(cli_env, service, "pull", dry_run=False, stream="pull")

    [run] = document(cli("runs", "list", "--service", service, "--json"))["runs"]
    streams = [_stream(cli, service, name)["status"] for name in ("pull:Contact", "pull:Lead")]

    assert (run["run_id"], run["status"]) == (killed, "failed")
    assert streams == ["Retrying", "Retrying"]


KEPT = "what it had committed is kept"
NOTHING = "a dry run changes nothing, so nothing is left to finish"


@pytest.mark.parametrize(
    ("signum", "status", "said", "dry_run"),
    [
        (signal.SIGINT, 130, "interrupted (Ctrl+C)", False),
        (signal.SIGTERM, 143, "stopped (SIGTERM)", False),
        (signal.SIGINT, 130, "interrupted (Ctrl+C)", True),
    ],
)
def test_a_signal_ends_a_pull_with_the_shells_status_one_json_document_and_its_run_failed(
    cli: Cli,
    cli_env: dict[str, str],
    make_sandbox: SandboxFactory,
    signum: int,
    status: int,
    said: str,
    dry_run: bool,
) -> None:
    """Click alone would exit 1 with "Aborted!" for Ctrl+C, and under --json print a
    traceback and no document at all; SIGTERM (cron's timeout, Kubernetes) ended the process
    at once, its run left `running`. A dry run kept nothing and leaves the next pull nothing
    to read on from: it says so."""
    server = make_sandbox(latency_ms=400)
    service = connected_service(cli, server, "--pull", "contacts")
    stopped = stopped_by(
        signum,
        cli_env,
        ["pull", "--service", service, "--json", *(["--dry-run"] if dry_run else [])],
        lambda: bool(document(cli("runs", "list", "--org", "acme", "--json"))["runs"]),
    )

    [run] = document(cli("runs", "list", "--org", "acme", "--json"))["runs"]
    recorded = f"{said}; {NOTHING if dry_run else KEPT}"
    assert stopped.returncode == status, stopped.stderr
    assert json.loads(stopped.stdout) == {  # the run it failed, with what it had done
        "run_id": run["run_id"],
        "status": "failed",
        **{key: run[key] for key in PULL_COUNTS},
        "error": recorded if dry_run else f"{recorded}: the next pull reads the rest",
    }
    assert (run["status"], run["error"]) == ("failed", recorded)


def test_a_shared_read_that_fails_for_another_service_flags_that_services_stream(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The other service's run failed with this one's read: its stream says so at once, as
    after a scheduled read, not only once it has pulled by itself."""
    shop = connected_service(cli, sandbox, "--pull", "contacts")
    assert cli("service", "create", "acme/vip").exit_code == 0
    assert cli("service", "configure", "acme/vip", "--pull", "contacts").exit_code == 0
    mapping_of_a_deleted_field(cli, sandbox, "acme/vip", tmp_path)

    pulled = document(cli("pull", "--service", shop, "--json"))
    flagged = _stream(cli, "acme/vip", "pull:Contact")

    assert pulled["status"] == "succeeded"
    assert (flagged["status"], flagged["problem"]) == ("Needs Attention", "mapping_invalid")
    assert "Tier__c" in flagged["reason"]


def test_a_shared_read_admits_a_multi_select_picklist_rule_as_salesforce_selects_it(
    cli: Cli, sandbox: SandboxServer
) -> None:
    """Read alone, the rule goes to Salesforce, where `=` compares the values chosen in any
    order; read with another service, it is checked here, and must admit the same records."""
    values = [{"fullName": "Golf"}, {"fullName": "Tennis"}]
    custom_contact_field(sandbox, "Hobbies__c", type="MultiselectPicklist", visibleLines=4,
                         valueSet={"valueSetDefinition": {"value": values}})  # fmt: skip
    sandbox.org.create("Contact", {"LastName": "Sporty", "Hobbies__c": "Golf;Tennis"})
    shop = connected_service(cli, sandbox, "--pull", "contacts", "--routing",
                             "Hobbies__c = 'Tennis;Golf'")  # fmt: skip
    assert cli("service", "create", "acme/all").exit_code == 0
    assert cli("service", "configure", "acme/all", "--pull", "contacts").exit_code == 0

    pulled = document(cli("pull", "--service", shop, "--json"))
    listed = document(cli("contacts", "list", "--service", shop, "--json"))["contacts"]

    assert pulled["created"] == 1
    assert [(c["last_name"], c["deleted_in_source"]) for c in listed] == [("Sporty", False)]
