from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.types import utcnow
from forcebridge.sync.service_days import ServiceCalendar
from tests.cli.conftest import Cli, document
from tests.cli.pull_setup import (
    connected_service,
    custom_contact_field,
    mapping_of_a_deleted_field,
    set_contact_mapping,
)


def test_configure_saves_pull_settings_and_projects_the_daily_api_calls(
    cli: Cli, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox)

    configured = document(
        cli(
            "service", "configure", service, "--pull", "contacts", "--routing", "Title = 'CEO'",
            "--pull-every", "15", "--update-only", "--activities-every", "30", "--json",
        )
    )  # fmt: skip

    assert configured["pull"] == "contacts"
    assert configured["routing"] == "Title = 'CEO'"
    assert (configured["pull_every_minutes"], configured["update_only"]) == (15, True)
    assert configured["projection"]["runs_per_day"] == 96
    assert configured["projected_api_calls_per_day"] >= 96
    assert configured["full_read_next"] == ["pull:Contact"]
    assert configured["activities_every_minutes"] == 30


def test_an_interval_of_one_minute_reads_every_minute(cli: Cli, sandbox: SandboxServer) -> None:
    service = connected_service(cli, sandbox)

    shown = cli("service", "configure", service, "--pull-every", "1", "--activities-every", "1")
    other = cli("service", "configure", service, "--pull-every", "2", "--activities-every", "3")

    assert shown.exit_code == 0, shown.stderr
    assert "Leads every minute and" in shown.stdout
    assert "Activities go to both every minute." in shown.stdout
    assert "every 2 minutes" in other.stdout and "every 3 minutes." in other.stdout


def test_full_read_next_names_every_stream_not_read_yet_whatever_the_change(
    cli: Cli, sandbox: SandboxServer
) -> None:
    """A new service reads everything at its first run, though no setting of what it reads
    changed: `full_read_next` said [] for `--pull both`, the default."""
    service = connected_service(cli, sandbox)

    new = document(cli("service", "configure", service, "--pull", "both", "--json"))
    interval = document(cli("service", "configure", service, "--pull-every", "10", "--json"))

    assert sorted(new["full_read_next"]) == ["pull:Contact", "pull:Lead"]
    assert sorted(interval["full_read_next"]) == ["pull:Contact", "pull:Lead"]


def test_services_reading_together_are_named_as_paying_their_reads_once(
    cli: Cli, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox, "--pull", "both")
    for name, pull in (("leads", "leads"), ("custom", "contacts")):
        assert cli("service", "create", f"acme/{name}").exit_code == 0
        cli("service", "configure", f"acme/{name}", "--pull", pull)
    cli("service", "configure", "acme/custom", "--soql", "SELECT Id, LastName FROM Contact")

    shop = document(cli("service", "configure", service, "--json"))
    leads = document(cli("service", "configure", "acme/leads", "--json"))
    said = cli("service", "configure", "acme/leads")

    assert shop["reads_shared_with"] == ["acme/leads"]  # a custom query is read on its own
    assert leads["reads_shared_with"] == ["acme/shop"]
    shown = " ".join(said.stdout.split())  # as wrapped to the terminal's width
    assert "Read together with acme/shop: those scheduled reads are paid once" in shown


def test_a_query_selecting_a_parents_field_no_row_maps_is_accepted(
    cli: Cli, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox)

    configured = cli(
        "service", "configure", service, "--soql", "SELECT Id, LastName, Owner.Email FROM Contact",
        "--json",
    )  # fmt: skip

    assert configured.exit_code == 0, configured.stdout
    assert document(configured)["soql"] == "SELECT Id, LastName, Owner.Email FROM Contact"


def test_a_query_naming_a_field_the_org_lacks_is_refused_with_the_field_named(
    cli: Cli, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox, "--pull", "leads")

    refused = cli("service", "configure", service, "--soql", "SELECT Id, Regio__c FROM Lead")
    unparsable = cli("service", "configure", service, "--soql", "SELECT Id FROM")
    bad_rule = cli("service", "configure", service, "--routing", "Region__c = 'West'")
    unchanged = document(cli("service", "configure", service, "--json"))

    assert refused.exit_code == 1 and "Regio__c" in refused.stderr
    assert unparsable.exit_code == 1
    assert "the custom query does not parse" in unparsable.stderr
    assert "(row 1, column 15)" in unparsable.stderr  # where, as Salesforce says it
    assert bad_rule.exit_code == 1 and "Region__c" in bad_rule.stderr
    assert (unchanged["pull"], unchanged["soql"], unchanged["routing"]) == ("leads", None, None)


def test_a_date_function_salesforce_would_refuse_is_refused_before_it_is_saved(
    cli: Cli, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox, "--pull", "leads")

    this_year = "SELECT Id, LastName FROM Lead WHERE CALENDAR_YEAR(CreatedDate) = THIS_YEAR"
    literal = cli("service", "configure", service, "--soql", this_year)
    text = cli("service", "configure", service, "--routing", "DAY_ONLY(Company) = 2024-01-01")
    sound = document(
        cli(
            "service", "configure", service, "--routing",
            "CALENDAR_YEAR(convertTimezone(CreatedDate)) >= 2020", "--json",
        )
    )  # fmt: skip

    assert literal.exit_code == 1
    assert "CALENDAR_YEAR(CreatedDate) can only be compared with a whole number" in literal.stderr
    assert text.exit_code == 1
    assert "DAY_ONLY() takes a date or datetime field, and Company is neither" in text.stderr
    assert sound["routing"] == "CALENDAR_YEAR(convertTimezone(CreatedDate)) >= 2020"


def test_creating_again_after_update_only_reads_everything_so_skipped_records_arrive(
    cli: Cli, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox, "--pull", "leads", "--update-only")
    sandbox.org.create("Lead", {"LastName": "Skipped", "Company": "Initech"})
    skipped = document(cli("pull", "--service", service, "--json"))

    configured = document(cli("service", "configure", service, "--create-and-update", "--json"))
    pulled = document(cli("pull", "--service", service, "--json"))

    assert skipped["created"] == 0 and skipped["skipped"] >= 1
    assert configured["full_read_next"] == ["pull:Lead"]
    assert pulled["created"] == skipped["skipped"]


def test_a_query_selecting_none_of_the_default_fields_asks_for_a_mapping(
    cli: Cli, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox, "--pull", "contacts")

    refused = cli("service", "configure", service, "--soql", "SELECT Id, Department FROM Contact")

    assert refused.exit_code == 1
    assert "the query selects none of the fields the default Contact mapping" in refused.stderr
    assert "forcebridge mapping set" in refused.stderr
    assert "is not in the query's SELECT list" not in refused.stderr


def test_an_interval_beyond_a_year_is_refused_with_one_json_document(
    cli: Cli, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox)

    for option in ("--pull-every", "--activities-every"):
        refused = cli("service", "configure", service, option, "10000000000000", "--json")

        assert refused.exit_code == 2
        assert option in json.loads(refused.stdout)["error"]


def test_settings_that_leave_the_read_as_it_is_are_saved_while_the_mapping_no_longer_verifies(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Changing the Task subject, the interval or the mode is not refused for a mapping the
    admin did not touch (a stream waiting on a fix in the org can be slowed down); the answer
    says what is wrong with it. A change of what the service reads is refused."""
    service = connected_service(cli, sandbox, "--pull", "contacts")
    mapping_of_a_deleted_field(cli, sandbox, service, tmp_path)
    assert cli("service", "create", "acme/vip").exit_code == 0
    assert cli("service", "configure", "acme/vip", "--pull", "contacts").exit_code == 0

    saved = cli("service", "configure", service, "--task-subject", "Hi {first_name}", "--json")
    slower = cli("service", "configure", service, "--pull-every", "60", "--update-only", "--json")
    refused = cli("service", "configure", service, "--routing", "LastName = 'Doe'", "--json")

    assert saved.exit_code == 0
    answer = json.loads(saved.stdout)
    assert answer["task_subject"] == "Hi {first_name}"
    assert any("Tier__c" in problem for problem in answer["problems"])
    assert slower.exit_code == 0
    assert "The pull settings no longer verify" in slower.stderr and "Tier__c" in slower.stderr
    answer = json.loads(slower.stdout)
    assert (answer["pull_every_minutes"], answer["update_only"]) == (60, True)
    assert answer["reads_shared_with"] == []  # it runs on its own until it verifies again
    assert any("Tier__c" in problem for problem in answer["problems"])
    assert refused.exit_code == 1
    assert "Tier__c" in json.loads(refused.stdout)["error"]
    assert document(cli("service", "configure", service, "--json"))["routing"] is None


def test_a_condition_salesforce_would_refuse_for_its_length_is_refused_before_it_is_saved(
    cli: Cli, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox, "--pull", "contacts")
    long_string = "A" * 5_000
    huge = " OR ".join(f"LastName = 'n{n}'" for n in range(1_500))

    string = cli("service", "configure", service, "--routing", f"LastName = '{long_string}'")
    query = cli("service", "configure", service, "--soql",
                f"SELECT Id, Email FROM Contact WHERE {huge}", "--json")  # fmt: skip
    saved = document(cli("service", "configure", service, "--json"))

    assert string.exit_code == 1
    assert "5,000 characters long; Salesforce takes 4,000 at most" in string.stderr
    assert query.exit_code == 1
    assert "too long for Salesforce" in json.loads(query.stdout)["error"]
    assert (saved["pull"], saved["routing"], saved["problems"]) == ("contacts", None, [])


@pytest.mark.parametrize(
    "options",
    [
        ("--update-only", "--create-and-update"),
        ("--pull", "leads", "--soql", "SELECT Id FROM Lead"),
    ],
)
def test_options_that_do_not_go_together_exit_2_and_change_nothing(
    cli: Cli, sandbox: SandboxServer, options: tuple[str, ...]
) -> None:
    service = connected_service(cli, sandbox, "--pull", "leads")

    refused = cli("service", "configure", service, *options, "--json")
    unchanged = document(cli("service", "configure", service, "--json"))

    assert refused.exit_code == 2 and "not both" in json.loads(refused.stdout)["error"]
    assert (unchanged["pull"], unchanged["update_only"]) == ("leads", False)


def _end_of_paris_day(before: dt.datetime, after: dt.datetime) -> set[str]:
    """When a change asked between `before` and `after` takes effect: Paris's next midnight."""
    paris = ServiceCalendar("Europe/Paris")
    return {paris.span(paris.day_of(t))[1].isoformat() for t in (before, after)}


def test_the_time_zone_changes_at_the_end_of_the_day_without_a_connection(cli: Cli) -> None:
    assert cli("org", "create", "acme").exit_code == 0
    assert cli("service", "create", "acme/shop", "--timezone", "Europe/Paris").exit_code == 0

    before = utcnow()
    configured = document(
        cli("service", "configure", "acme/shop", "--timezone", "America/New_York",
            "--activities-every", "30", "--pull-every", "15", "--update-only", "--json")
    )  # fmt: skip
    after = utcnow()
    listed = document(cli("service", "list", "--json"))["services"]
    status = document(cli("service", "status", "acme/shop", "--json"))
    said = " ".join(cli("service", "configure", "acme/shop").stdout.split())

    change = configured["timezone_change"]
    assert configured["timezone"] == "America/New_York"
    assert (change["from"], change["to"]) == ("Europe/Paris", "America/New_York")
    assert change["takes_effect_at"] in _end_of_paris_day(before, after)
    assert (configured["activities_every_minutes"], configured["pull_every_minutes"]) == (30, 15)
    assert configured["update_only"] is True
    assert "has no Salesforce connection" in configured["not_verified"]
    assert [s["timezone_change"] for s in listed] == [change]
    assert (status["timezone"], status["timezone_change"]) == ("America/New_York", change)
    assert "Days are counted in Europe/Paris until" in said
    assert "then in America/New_York" in said


def test_asking_again_before_midnight_replaces_the_pending_zone_and_back_cancels_it(
    cli: Cli,
) -> None:
    assert cli("org", "create", "acme").exit_code == 0
    assert cli("service", "create", "acme/shop", "--timezone", "Europe/Paris").exit_code == 0

    chicago = document(cli("service", "configure", "acme/shop", "--timezone", "America/Chicago",
                           "--json"))  # fmt: skip
    tokyo = document(cli("service", "configure", "acme/shop", "--timezone", "Asia/Tokyo",
                         "--json"))  # fmt: skip
    back = document(cli("service", "configure", "acme/shop", "--timezone", "Europe/Paris",
                        "--json"))  # fmt: skip

    assert tokyo["timezone_change"] == {**chicago["timezone_change"], "to": "Asia/Tokyo"}
    assert (back["timezone"], back["timezone_change"]) == ("Europe/Paris", None)


def test_an_unknown_zone_is_refused_by_name_and_nothing_is_saved(cli: Cli) -> None:
    assert cli("org", "create", "acme").exit_code == 0
    assert cli("service", "create", "acme/shop", "--timezone", "Europe/Paris").exit_code == 0

    refused = cli("service", "configure", "acme/shop", "--timezone", "Europe/Pariss",
                  "--activities-every", "30", "--json")  # fmt: skip
    unchanged = document(cli("service", "configure", "acme/shop", "--json"))

    assert refused.exit_code == 1
    assert "unknown time zone 'Europe/Pariss'" in json.loads(refused.stdout)["error"]
    assert (unchanged["timezone"], unchanged["timezone_change"]) == ("Europe/Paris", None)
    assert unchanged["activities_every_minutes"] == 60


def test_an_over_long_zone_is_refused_in_json_quoting_its_start_and_length(cli: Cli) -> None:
    assert cli("org", "create", "acme").exit_code == 0
    assert cli("service", "create", "acme/shop", "--timezone", "Europe/Paris").exit_code == 0

    refused = cli("service", "configure", "acme/shop", "--timezone", "Z" * 300, "--json")

    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["error"].startswith(
        f"unknown time zone {'Z' * 40!r}... (300 characters): use an IANA name"
    )
    assert document(cli("service", "configure", "acme/shop", "--json"))["timezone"] == (
        "Europe/Paris"
    )


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (("--pull", "leads"), "--pull"),
        (("--soql", "SELECT Id FROM Lead", "--routing", "Title = 'CEO'"), "--soql and --routing"),
    ],
)
def test_pull_settings_salesforce_must_verify_are_refused_without_a_connection(
    cli: Cli, options: tuple[str, ...], named: str
) -> None:
    assert cli("org", "create", "acme").exit_code == 0
    assert cli("service", "create", "acme/shop").exit_code == 0

    refused = cli("service", "configure", "acme/shop", *options, "--timezone", "Asia/Tokyo",
                  "--json")  # fmt: skip
    unchanged = document(cli("service", "configure", "acme/shop", "--json"))

    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert error.startswith(f"nothing was saved: what the service reads ({named}) is not changed")
    assert f"Without {named}, the same command saves --timezone." in error
    assert "has no Salesforce connection" in error
    assert (unchanged["pull"], unchanged["timezone"]) == ("both", "UTC")


def test_settings_needing_no_salesforce_are_saved_while_it_cannot_be_asked(
    cli: Cli, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox, "--pull", "leads", "--update-only")
    (shop,) = document(cli("service", "list", "--json"))["services"]
    assert cli("connections", "disconnect", "--org", "acme", shop["connection"]).exit_code == 0

    saved = document(
        cli("service", "configure", service, "--create-and-update", "--task-subject", "Chat",
            "--timezone", "Asia/Tokyo", "--json")
    )  # fmt: skip
    refused = cli("service", "configure", service, "--routing", "Title = 'CEO'", "--json")
    as_it_stands = cli("service", "configure", service, "--pull", "leads", "--json")

    assert (saved["update_only"], saved["task_subject"]) == (False, "Chat")
    assert saved["full_read_next"] == ["pull:Lead"]  # to create the leads it skipped
    assert saved["timezone_change"]["to"] == "Asia/Tokyo"
    assert "Salesforce could not be asked" in saved["not_verified"]
    assert "disconnected" in saved["not_verified"]
    assert refused.exit_code == 1
    assert (
        "(--routing) is not changed, as Salesforce must verify it first"
        in json.loads(refused.stdout)["error"]
    )
    assert as_it_stands.exit_code == 0  # what it already reads needs no verifying


def test_a_verified_configuration_says_so(cli: Cli, sandbox: SandboxServer) -> None:
    service = connected_service(cli, sandbox)

    configured = document(cli("service", "configure", service, "--json"))

    assert (configured["not_verified"], configured["timezone"]) == (None, "UTC")
    assert configured["timezone_change"] is None


def test_a_mapped_field_whose_type_changed_is_named_as_mapping_verify_names_it(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Number to Text under a number field: runs read on, value by value, but the mapping no
    longer verifies, so configure names the row as `mapping verify` does and refuses a change
    of what the service reads; with another mapped field deleted too, it names both."""
    service = connected_service(cli, sandbox, "--pull", "contacts")
    assert cli("service", "field", "add", service, "score", "--type", "number").exit_code == 0
    score = custom_contact_field(sandbox, "Score__c", type="Number", precision=5, scale=0)
    tier = custom_contact_field(sandbox, "Tier__c")
    rows = (("LastName", "last_name"), ("Tier__c", "title"), ("Score__c", "score"))
    set_contact_mapping(cli, service, tmp_path, *rows)
    sandbox.org.custom_fields.update(
        score, {"Metadata": {"type": "Text", "label": "Score", "length": 20}}
    )
    verified = json.loads(cli("mapping", "verify", "--service", service, "--object", "Contact",
                              "--json").stdout)  # fmt: skip

    slower = cli("service", "configure", service, "--pull-every", "10", "--json")
    routed = cli("service", "configure", service, "--routing", "LastName != null", "--json")
    both = cli("service", "configure", service, "--pull", "both", "--json")
    sandbox.org.custom_fields.delete(tier)
    broken = document(cli("service", "configure", service, "--json"))

    assert [(p["row"], p["code"]) for p in verified["problems"]] == [(3, "type_mismatch")]
    assert slower.exit_code == 0
    [problem] = json.loads(slower.stdout)["problems"]
    assert "row 3" in problem and "Score__c" in problem
    assert "The pull settings no longer verify" in slower.stderr
    assert routed.exit_code == 1 and "row 3" in json.loads(routed.stdout)["error"]
    assert both.exit_code == 1
    saved = document(cli("service", "configure", service, "--json"))
    assert (saved["pull"], saved["routing"], saved["pull_every_minutes"]) == ("contacts", None, 10)
    [problem] = broken["problems"]
    assert "row 2" in problem and "row 3" in problem


def test_a_query_refused_for_several_reasons_counts_what_it_lists(
    cli: Cli, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox, "--pull", "contacts")

    refused = cli("service", "configure", service, "--soql", "SELECT Id, Nope__c FROM Contact")

    said = " ".join(refused.stderr.split())
    assert refused.exit_code == 1
    assert "have 2 problems" in said and "Nope__c" in said
    assert "the service has no mapping for Contact yet" in said


def test_a_refused_change_of_what_to_read_names_its_option_and_what_goes_without_it(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The command is all or nothing: `--pull` refused while the mapping no longer verifies
    saves neither the interval nor the zone, and says so, and that without `--pull` they are
    saved; the problems are said once."""
    service = connected_service(cli, sandbox, "--pull", "contacts")
    mapping_of_a_deleted_field(cli, sandbox, service, tmp_path)

    refused = cli("service", "configure", service, "--timezone", "Europe/Paris",
                  "--pull-every", "9", "--pull", "both", "--json")  # fmt: skip
    unchanged = document(cli("service", "configure", service, "--json"))

    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert error.startswith(
        "nothing was saved: what the service reads (--pull) is not changed, as the pull "
        "settings do not verify:\nContact: The mapping has 1 problem:"
    )
    assert error.endswith("\nWithout --pull, the same command saves --pull-every and --timezone.")
    assert refused.stderr.count("'Tier__c'") == 1
    assert (unchanged["pull"], unchanged["pull_every_minutes"]) == ("contacts", 5)
    assert unchanged["timezone_change"] is None


def test_records_are_counted_past_a_deleted_mapped_field_and_unknown_past_a_deleted_rule_field(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The count reads no mapped field: a deleted one leaves it as it was (it said `{}` and
    0 changes a day). A rule naming a deleted field cannot be counted: the projection is
    unknown, and says why, never a projection of no records."""
    service = connected_service(cli, sandbox, "--pull", "contacts")
    region = custom_contact_field(sandbox, "Region__c")
    for name in ("Ada", "Grace", "Edsger"):
        sandbox.org.create("Contact", {"LastName": name})
    assert cli("service", "configure", service, "--routing", "Region__c = null").exit_code == 0
    before = document(cli("service", "configure", service, "--json"))
    mapping_of_a_deleted_field(cli, sandbox, service, tmp_path)

    counted = document(cli("service", "configure", service, "--json"))
    sandbox.org.custom_fields.delete(region)
    unknown = cli("service", "configure", service, "--pull-every", "10")
    as_json = document(cli("service", "configure", service, "--json"))

    assert counted["records"] == before["records"] and before["records"]["Contact"] > 0
    assert counted["projection"] == before["projection"]
    assert counted["projection"]["changes_per_day"] > 0
    assert counted["not_projected"] is None
    assert unknown.exit_code == 0
    assert "Projected Salesforce API calls a day: unknown, as the records of Contact" in " ".join(
        unknown.stdout.split()
    )
    assert as_json["records"] == {}
    assert (as_json["projection"], as_json["projected_api_calls_per_day"]) == (None, None)
    assert as_json["not_projected"] == (  # told beside the mapping's problems: not asked
        "the records of Contact (its routing rule does not verify) could not be counted"
    )
    rule = "The pull settings no longer verify: Contact: the routing rule of shop: Contact has no"
    assert rule in " ".join(unknown.stderr.split())


def test_a_query_and_a_routing_rule_are_refused_in_one_refusal_naming_every_field(
    cli: Cli, sandbox: SandboxServer
) -> None:
    """The rule is checked though the query failed: the one refusal names FirstNam, Foo__c
    and Region__c, so fixing the query does not bring the rule's refusal only then."""
    service = connected_service(cli, sandbox, "--pull", "contacts")

    refused = cli(
        "service", "configure", service,
        "--soql", "SELECT Id, FirstNam, Email FROM Contact WHERE Foo__c = 1",
        "--routing", "Region__c = 'EU'", "--json",
    )  # fmt: skip
    unchanged = document(cli("service", "configure", service, "--json"))

    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert all(f"no field '{name}'" in error for name in ("FirstNam", "Foo__c", "Region__c"))
    assert "\nContact: the routing rule of shop: Contact has no field 'Region__c'" in error
    assert (unchanged["pull"], unchanged["soql"], unchanged["routing"]) == ("contacts", None, None)
