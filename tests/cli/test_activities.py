"""`forcebridge messages import` and `forcebridge activities push|windows`, as scripts run them."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from simple_salesforce import Salesforce
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from forcebridge.sandbox.limits import FaultSettings
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.engine import make_engine
from forcebridge.store.models import Message, Service
from forcebridge.store.repositories.contacts import Identity, add_identities, insert_contacts
from forcebridge.store.repositories.leases import release_lease, take_lease
from tests.cli.conftest import Cli, document, password_grant_args
from tests.conftest import SandboxFactory
from tests.sync.activity_world import tasks_of

HOUR = timedelta(hours=1)
PUSH_KEYS = [
    "run_id",
    "status",
    "windows",
    "created",
    "updated",
    "unchanged",
    "reread",
    "failed",
    "api_calls",
    "error",
    "parked",
    "held",
]


@pytest.fixture
def store(cli_env: dict[str, str]) -> Iterator[Engine]:
    """The database the command uses, for what no command does yet (linking contacts)."""
    engine = make_engine(cli_env["FORCEBRIDGE_DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture
def server(make_sandbox: SandboxFactory) -> SandboxServer:
    return make_sandbox()


@pytest.fixture
def sf(server: SandboxServer, salesforce_for: Callable[..., Salesforce]) -> Salesforce:
    return salesforce_for(server)


def linked_contact(store: Engine, sf: Salesforce, phone: str, sobject: str = "Contact") -> str:
    """A contact of acme/shop with `phone`, linked (as the pull would) to a new Contact (or
    Lead)."""
    record = {"LastName": "Doe", "FirstName": "Jane", "Company": "Initech"}
    if sobject == "Contact":
        del record["Company"]
    sf_id = str(getattr(sf, sobject).create(record)["id"])
    with Session(store) as session:
        service = session.scalars(select(Service).where(Service.name == "shop")).one()
        (contact_id,) = insert_contacts(
            session,
            service.id,
            [{"first_name": "Jane", "last_name": "Doe", "phone": phone, "phone_e164": phone}],
        )
        add_identities(session, service.id, [Identity(contact_id, f"salesforce:{sobject}", sf_id)])
        session.commit()
    return sf_id


def messages_file(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "messages.csv"
    path.write_text("\n".join(["phone,direction,channel,author,body,sent_at", *rows]) + "\n")
    return str(path)


@pytest.fixture
def shop(cli: Cli, server: SandboxServer) -> None:
    cli("org", "create", "acme")
    assert cli(*password_grant_args(server)).exit_code == 0
    cli("service", "create", "acme/shop", "--timezone", "America/New_York")


@pytest.mark.usefixtures("shop")
def test_imported_messages_are_pushed_as_one_task_and_scripts_get_one_json_document(
    cli: Cli, store: Engine, sf: Salesforce, tmp_path: Path
) -> None:
    jane = linked_contact(store, sf, "+12015550101")
    path = messages_file(
        tmp_path,
        "+1 201 555 0101,inbound,sms,Jane,Open today?,2024-03-12T10:00:00-04:00",
        "(201) 555-0101,outbound,sms,Sam,Until 6pm.,2024-03-12T10:02:00-04:00",
        "+1 201 555 0199,inbound,sms,?,Who is this?,2024-03-12T10:05:00-04:00",
    )

    imported = cli("messages", "import", "--service", "acme/shop", path, "--json")
    dry = document(cli("activities", "push", "--service", "acme/shop", "--dry-run", "--json"))
    after_dry_run = tasks_of(sf, jane)
    pushed = document(cli("activities", "push", "--service", "acme/shop", "--json"))

    assert imported.exit_code == 1  # one row names nobody
    assert "1 rejected" in imported.stderr
    report = json.loads(imported.stdout)
    assert (report["imported"], report["rejected"]) == (2, 1)
    assert report["errors"] == [
        {
            "line": 4,
            "field": "phone",
            "message": "no contact of the service has phone +12015550199",
        }
    ]
    assert list(pushed) == PUSH_KEYS
    assert (dry["created"], after_dry_run) == (1, [])
    assert (pushed["status"], pushed["windows"], pushed["created"]) == ("succeeded", 1, 1)
    (task,) = tasks_of(sf, jane)
    assert "Open today?" in task["Description"] and "Until 6pm." in task["Description"]


@pytest.mark.usefixtures("shop")
def test_failing_windows_are_listed_with_why_and_the_push_exits_1(
    cli: Cli, store: Engine, sf: Salesforce, tmp_path: Path
) -> None:
    jane = linked_contact(store, sf, "+12015550101")
    path = messages_file(tmp_path, "+12015550101,inbound,sms,Jane,Hello?,2024-03-12T10:00:00Z")
    cli("messages", "import", "--service", "acme/shop", path)
    sf.Contact.delete(jane)

    pushed = cli("activities", "push", "--service", "acme/shop", "--json")
    listed = document(cli("activities", "windows", "--service", "acme/shop", "--json"))
    shown = cli("activities", "windows", "--service", "acme/shop")
    again = cli("activities", "push", "--service", "acme/shop")

    assert pushed.exit_code == again.exit_code == 1
    windows = "forcebridge activities windows --service acme/shop"
    assert f"1 activity window failed: see why with {windows}\n" in pushed.stderr  # --json too
    assert f"1 activity window failed: see why with {windows}\n" in again.stderr
    report = json.loads(pushed.stdout)  # the document alone on stdout
    assert (report["status"], report["failed"], report["parked"]) == ("partial", 1, 0)
    (window,) = listed["windows"]
    assert (window["contact"], window["day"], window["parked"], window["attempts"]) == (
        "Jane Doe",
        "2024-03-12",
        False,
        1,
    )
    assert "ENTITY_IS_DELETED" in window["reason"]
    assert "failing" in shown.stdout and "Jane Doe" in shown.stdout


@pytest.mark.usefixtures("shop")
def test_parked_windows_can_be_given_another_chance(
    cli: Cli, store: Engine, sf: Salesforce, tmp_path: Path
) -> None:
    jane = linked_contact(store, sf, "+12015550101")
    path = messages_file(tmp_path, "+12015550101,inbound,sms,Jane,Hello?,2024-03-12T10:00:00Z")
    cli("messages", "import", "--service", "acme/shop", path)
    sf.Contact.delete(jane)
    env = {"FORCEBRIDGE_ACTIVITY_MAX_ATTEMPTS": "1"}
    parking = cli("activities", "push", "--service", "acme/shop", "--json", env=env)

    parked = document(cli("activities", "windows", "--service", "acme/shop", "--json"))
    quiet = cli("activities", "push", "--service", "acme/shop", "--json", env=env)
    retried = document(cli("activities", "windows", "--service", "acme/shop", "--retry", "--json"))
    told = cli("activities", "push", "--service", "acme/shop", env=env)

    assert [w["parked"] for w in parked["windows"]] == [True]
    assert retried["retried"] == 1
    assert [w["parked"] for w in retried["windows"]] == []
    windows = "forcebridge activities windows --service acme/shop"
    parked_notice = (
        "1 activity window of acme/shop is parked (its conversations are not in Salesforce): "
        f"see why with {windows}, then try it again with {windows} --retry\n"
    )
    assert (parking.exit_code, json.loads(parking.stdout)["parked"]) == (1, 1)
    assert parked_notice in parking.stderr
    # Nothing failed in this run, and it says so; but a cron job still hears of the day missing
    report = json.loads(quiet.stdout)
    assert (quiet.exit_code, report["status"], report["failed"]) == (0, "succeeded", 0)
    assert report["parked"] == 1
    assert parked_notice in quiet.stderr and "failed: see why" not in quiet.stderr
    assert "Parked (all days)" in told.stdout  # tried again, failed again, parked again
    assert parked_notice in told.stderr


def test_a_service_without_a_connection_is_refused_with_what_to_do(cli: Cli) -> None:
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")

    result = cli("activities", "push", "--service", "acme/shop")

    assert result.exit_code == 1
    assert "has no Salesforce connection" in result.stderr


def test_a_task_subject_with_an_unknown_placeholder_is_refused_naming_it(cli: Cli) -> None:
    result = cli("service", "configure", "acme/shop", "--task-subject", "Chat with {email}")

    assert result.exit_code == 1
    assert "unknown placeholder {email}" in result.stderr


@pytest.mark.usefixtures("shop")
def test_a_lead_converted_into_a_contact_already_in_the_book_merges_the_two_contacts(
    cli: Cli, server: SandboxServer, sf: Salesforce, tmp_path: Path
) -> None:
    account = str(sf.Account.create({"Name": "Ames Inc"})["id"])
    contact = str(
        sf.Contact.create({"LastName": "Ames", "Phone": "+12015550101", "AccountId": account})["id"]
    )
    lead = str(
        sf.Lead.create(
            {"LastName": "Ames", "Company": "LeadCo", "Phone": "+12015550102", "Title": "Buyer"}
        )["id"]
    )
    assert document(cli("pull", "--service", "acme/shop", "--json"))["created"] == 2
    path = messages_file(
        tmp_path,
        "+12015550101,inbound,sms,Ana,From the Contact,2024-03-12T10:00:00-04:00",
        "+12015550102,inbound,sms,Ana,From the Lead,2024-03-12T11:00:00-04:00",
    )
    assert cli("messages", "import", "--service", "acme/shop", path).exit_code == 0
    assert document(cli("activities", "push", "--service", "acme/shop", "--json"))["created"] == 2
    server.org.convert_lead(lead, contact_id=contact, account_id=account)

    rehearsed = document(cli("pull", "--service", "acme/shop", "--dry-run", "--json"))
    pulled = document(cli("pull", "--service", "acme/shop", "--json"))
    listed = document(cli("contacts", "list", "--service", "acme/shop", "--json"))["contacts"]
    log = document(cli("runs", "show", str(pulled["run_id"]), "--json"))["log"]
    pushed = document(cli("activities", "push", "--service", "acme/shop", "--json"))
    again = document(cli("pull", "--service", "acme/shop", "--full", "--json"))

    [person] = listed
    assert rehearsed["updated"] == pulled["updated"] >= 1
    assert [i["external_id"] for i in person["identities"]] == [contact]  # the Lead handed over
    # The Contact's phone; its empty Title filled from the Lead, by Salesforce as by the merge
    assert (person["phone"], person["title"]) == ("+12015550101", "Buyer")
    assert (again["updated"], again["created"]) == (0, 0)
    assert [e["code"] for e in log] == ["merged", "duplicate_task"]
    assert (pushed["status"], pushed["updated"], pushed["created"]) == ("succeeded", 1, 0)
    whole_day = [t for t in tasks_of(sf, contact) if "From the Lead" in t["Description"]]
    assert any("From the Contact" in t["Description"] for t in whole_day)


@pytest.mark.usefixtures("shop")
def test_a_converted_lead_is_never_written_to_even_when_activities_go_to_leads(
    cli: Cli, server: SandboxServer, sf: Salesforce, tmp_path: Path
) -> None:
    configured = cli("service", "configure", "acme/shop", "--activities-to", "leads")
    assert configured.exit_code == 0, configured.stderr
    lead = str(
        sf.Lead.create({"LastName": "Hank", "Company": "Hooli", "Phone": "+12015550103"})["id"]
    )
    assert document(cli("pull", "--service", "acme/shop", "--json"))["created"] == 1
    first = messages_file(
        tmp_path, "+12015550103,inbound,sms,Hank,Before,2024-03-12T10:00:00-04:00"
    )
    assert cli("messages", "import", "--service", "acme/shop", first).exit_code == 0
    assert document(cli("activities", "push", "--service", "acme/shop", "--json"))["created"] == 1
    contact = server.org.convert_lead(lead)["contactId"]
    cli("pull", "--service", "acme/shop")
    later = messages_file(tmp_path, "+12015550103,inbound,sms,Hank,After,2024-03-12T11:00:00-04:00")
    assert cli("messages", "import", "--service", "acme/shop", later).exit_code == 0

    pushed = document(cli("activities", "push", "--service", "acme/shop", "--json"))

    assert (pushed["status"], pushed["updated"], pushed["failed"]) == ("succeeded", 0, 0)
    (task,) = tasks_of(sf, contact)  # moved there by the conversion, and left alone
    assert "After" not in task["Description"]
    assert tasks_of(sf, lead) == []


@pytest.mark.usefixtures("shop")
def test_a_day_refused_for_a_lead_converted_since_the_pull_says_it_waits_for_the_next_pull(
    cli: Cli, server: SandboxServer, sf: Salesforce, tmp_path: Path
) -> None:
    lead = str(
        sf.Lead.create({"LastName": "Ivy", "Company": "Initech", "Phone": "+12015550104"})["id"]
    )
    assert document(cli("pull", "--service", "acme/shop", "--json"))["created"] == 1
    first = messages_file(tmp_path, "+12015550104,inbound,sms,Ivy,Before,2024-03-12T10:00:00-04:00")
    assert cli("messages", "import", "--service", "acme/shop", first).exit_code == 0
    assert document(cli("activities", "push", "--service", "acme/shop", "--json"))["created"] == 1
    contact = server.org.convert_lead(lead)["contactId"]
    later = messages_file(tmp_path, "+12015550104,inbound,sms,Ivy,After,2024-03-12T11:00:00-04:00")
    assert cli("messages", "import", "--service", "acme/shop", later).exit_code == 0

    refused = document(cli("activities", "push", "--service", "acme/shop", "--json"))
    log = document(cli("runs", "show", str(refused["run_id"]), "--json"))["log"]
    [entry] = [e for e in log if e["code"] != "reopened"]  # a 2024 day, pushed again
    cli("pull", "--service", "acme/shop")
    pushed = document(cli("activities", "push", "--service", "acme/shop", "--json"))

    # Expected, and mended by the next pull: nothing for monitoring to alarm on.
    assert (refused["status"], refused["failed"]) == ("succeeded", 0)
    assert (entry["level"], entry["code"]) == ("warning", "CANNOT_UPDATE_CONVERTED_LEAD")
    assert entry["salesforce_id"] == lead  # the record it waits on
    assert "written once the next pull links the contact to its Contact" in entry["message"]
    assert (pushed["status"], pushed["failed"]) == ("succeeded", 0)
    assert any("After" in task["Description"] for task in tasks_of(sf, contact))


@pytest.mark.usefixtures("shop")
def test_a_push_by_hand_waits_for_no_run_already_holding_the_stream(
    cli: Cli, store: Engine
) -> None:
    """Two pushes at once would write each Task twice: the second is refused at once, unless
    the run holding the stream is a process of this machine that died."""
    with Session(store) as session:
        service_id = session.scalars(select(Service.id).where(Service.name == "shop")).one()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          check=True, capture_output=True, text=True)  # fmt: skip
    ttl = timedelta(minutes=5)
    assert take_lease(store, service_id, "activities", "worker at elsewhere:1:1", ttl)

    refused = cli("activities", "push", "--service", "acme/shop", "--json")
    assert release_lease(store, service_id, "activities", "worker at elsewhere:1:1")
    dead = f"{socket.gethostname()}:{int(gone.stdout)}:1"
    assert take_lease(store, service_id, "activities", dead, ttl)
    pushed = cli("activities", "push", "--service", "acme/shop", "--json")

    assert refused.exit_code == 1
    assert "another run of activities for acme/shop is in progress" in refused.stdout
    assert pushed.exit_code == 0, pushed.stderr


@pytest.mark.usefixtures("shop")
def test_a_push_by_hand_stopped_by_what_only_a_person_can_fix_flags_the_stream(
    cli: Cli, store: Engine, sf: Salesforce, server: SandboxServer, tmp_path: Path
) -> None:
    """`service status` and the admin pages show what a push from the command line found, as
    they show what a scheduled push finds: the API turned off for the org needs an admin."""
    linked_contact(store, sf, "+12015550101")
    path = messages_file(
        tmp_path, "+1 201 555 0101,inbound,sms,Jane,Hello,2024-03-12T10:00:00-04:00"
    )
    cli("messages", "import", "--service", "acme/shop", path)
    server.stop()
    port = int(server.base_url.rsplit(":", 1)[1])
    disabled = SandboxServer(replace(server.config, port=port, api_disabled=True)).start()
    try:
        pushed = cli("activities", "push", "--service", "acme/shop", "--json")
    finally:
        disabled.stop()
    streams = document(cli("service", "status", "acme/shop", "--json"))["streams"]
    activities = next(s for s in streams if s["stream"] == "activities")

    assert pushed.exit_code == 1
    assert (activities["status"], activities["problem"]) == ("Needs Attention", "api_disabled")


@pytest.mark.usefixtures("shop")
def test_every_day_is_written_again_under_the_record_a_contact_is_linked_to_anew(
    cli: Cli, sf: Salesforce, store: Engine, tmp_path: Path
) -> None:
    """The Contact a person's Tasks were under is deleted (its Tasks go with it) and made
    again: once the pull links the person to the new one, every day of the conversation is
    written there, not only the days that grow."""
    first = str(sf.Contact.create({"LastName": "Charlie", "Phone": "+12015550101"})["id"])
    assert document(cli("pull", "--service", "acme/shop", "--json"))["created"] == 1
    path = messages_file(
        tmp_path,
        "+12015550101,inbound,sms,Charlie,Monday,2024-03-11T10:00:00-04:00",
        "+12015550101,inbound,sms,Charlie,Tuesday,2024-03-12T10:00:00-04:00",
    )
    assert cli("messages", "import", "--service", "acme/shop", path).exit_code == 0
    with Session(store) as session:  # recorded an hour ago: past the pushes' overlap
        for message in session.scalars(select(Message)):
            message.recorded_at -= HOUR
        session.commit()
    assert document(cli("activities", "push", "--service", "acme/shop", "--json"))["created"] == 2
    sf.Contact.delete(first)
    second = str(sf.Contact.create({"LastName": "Charlie", "Phone": "+12015550101"})["id"])

    pulled = document(cli("pull", "--service", "acme/shop", "--json"))
    pushed = document(cli("activities", "push", "--service", "acme/shop", "--json"))

    assert (pulled["created"], tasks_of(sf, first)) == (0, [])
    assert (pushed["status"], pushed["created"]) == ("succeeded", 2)
    days = sorted(t["Description"].splitlines()[1] for t in tasks_of(sf, second))
    assert days == ["Monday", "Tuesday"]


@pytest.mark.usefixtures("shop")
def test_a_salesforce_slower_than_the_timeout_setting_fails_the_push_saying_so(
    cli: Cli, store: Engine, sf: Salesforce, server: SandboxServer, tmp_path: Path
) -> None:
    linked_contact(store, sf, "+12015550101")
    path = messages_file(tmp_path, "+1 201 555 0101,inbound,sms,Jane,Hi,2024-03-12T10:00:00-04:00")
    assert cli("messages", "import", "--service", "acme/shop", path).exit_code == 0
    server.set_faults(FaultSettings(latency_ms=1_000))

    pushed = cli(
        "activities", "push", "--service", "acme/shop", "--json",
        env={"FORCEBRIDGE_SALESFORCE_TIMEOUT": "0.3"},
    )  # fmt: skip

    report = json.loads(pushed.stdout)
    assert (pushed.exit_code, report["status"]) == (1, "failed")
    assert "after trying 2 times: no answer from" in report["error"]
    assert "within 0.3 seconds each time" in report["error"]
    assert "FORCEBRIDGE_SALESFORCE_TIMEOUT" in report["error"]


@pytest.mark.usefixtures("shop")
def test_held_windows_are_counted_by_the_push_and_listed_with_why(
    cli: Cli, store: Engine, sf: Salesforce, tmp_path: Path
) -> None:
    """A contact with a Lead only, while the service logs to Contacts: its day waits for the
    pull to link a Contact, and says so where parked and failing windows do."""
    assert cli("service", "configure", "acme/shop", "--activities-to", "contacts").exit_code == 0
    linked_contact(store, sf, "+12015550101", "Lead")
    path = messages_file(tmp_path, "+12015550101,inbound,sms,Jane,Hello?,2024-03-12T10:00:00Z")
    cli("messages", "import", "--service", "acme/shop", path)

    push = ("activities", "push", "--service", "acme/shop", "--json")
    rehearsed = document(cli(*push, "--dry-run"))
    pushed = document(cli(*push))
    again = document(cli(*push, "--dry-run"))
    listed = document(cli("activities", "windows", "--service", "acme/shop", "--json"))
    shown = cli("activities", "windows", "--service", "acme/shop")

    for report in (rehearsed, pushed, again):  # a dry run foresees the window it would hold
        assert (report["status"], report["created"], report["parked"], report["held"]) == (
            "succeeded",
            0,
            0,
            1,
        )
    (window,) = listed["windows"]
    assert list(window) == [
        "key", "contact_id", "contact", "day", "part", "state", "parked", "attempts", "reason",
        "task_id",
    ]  # fmt: skip
    assert (window["day"], window["state"], window["parked"], window["task_id"]) == (
        "2024-03-12",
        "held",
        False,
        None,
    )
    assert window["reason"] == (
        "linked to a Lead only, and the service logs to Contacts: written once the pull links "
        "it to a Contact, or logging to both (--activities-to both)"
    )
    assert "held" in shown.stdout and "is fine" not in shown.stdout


@pytest.mark.usefixtures("shop")
def test_a_message_dated_centuries_ahead_does_not_hold_a_zone_change_back(
    cli: Cli, store: Engine, sf: Salesforce, tmp_path: Path
) -> None:
    """Its day keeps its Task and its hours, said on stderr; the zone asked for starts at the
    end of today."""
    jane = linked_contact(store, sf, "+12015550101")
    path = messages_file(tmp_path, "+12015550101,inbound,sms,Jane,Tick,2200-06-01T00:00:00Z")
    assert cli("messages", "import", "--service", "acme/shop", path).exit_code == 0
    assert document(cli("activities", "push", "--service", "acme/shop", "--json"))["created"] == 1

    moved = cli("service", "configure", "acme/shop", "--timezone", "Europe/Paris", "--json")

    assert moved.exit_code == 0, moved.stderr
    change = json.loads(moved.stdout)["timezone_change"]
    assert change["takes_effect_at"] < "2100"  # New York's next midnight, not in 2200
    said = " ".join(moved.stderr.split())
    assert "2200-05-31 keeps America/New_York's hours" in said
    assert "is dated 2200-06-01T00:00:00+00:00 (in the future" in said
    assert len(tasks_of(sf, jane)) == 1
