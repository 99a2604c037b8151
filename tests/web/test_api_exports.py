"""`POST /api/v1/exports`: the product sends a rep's prospects to the org's Salesforce (the
sandbox) in one request, exported as `forcebridge export` exports a CSV file, and the answer is
the document `export --json` prints."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from simple_salesforce import Salesforce
from sqlalchemy import func, select

from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import AdminRole, Prospect, Run, RunStatus, UpdateOption
from forcebridge.store.repositories.export_preferences import allow_objects, disallow_objects
from forcebridge.store.repositories.leases import EXPORT, OrgScope, release_lease, take_lease
from forcebridge.store.repositories.mappings import save_org_mapping
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.runs import start_run
from forcebridge.web.api_exports import MAX_PROSPECTS
from forcebridge.web.csrf import HEADER
from forcebridge.web.local_server import served_locally
from tests.conftest import SandboxFactory
from tests.web.conftest import AdminPages, AdminPagesFactory, Api, api_token, bearer, form_token

ELSEWHERE = "worker at elsewhere:1:1"
"""A lease holder on another machine: alive as far as this one can tell."""
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@dataclass
class World:
    """acme, allowed to export Leads, Contacts and Accounts, connected to a sandbox of its own."""

    pages: AdminPages
    api: Api
    sandbox: SandboxServer
    sf: Salesforce

    def export(self, sobject: str, *prospects: dict[str, Any], **options: Any) -> Any:
        body = {"object": sobject, "prospects": list(prospects), **options}
        return self.api.post("/exports", body)

    def records(self, soql: str) -> list[dict[str, Any]]:
        return list(self.sf.query_all(soql)["records"])

    def org_id(self) -> int:
        with self.pages.runtime.sessions() as session:
            return get_org(session, "acme").id

    def prospects_stored(self) -> int:
        with self.pages.runtime.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(Prospect)) or 0)


@pytest.fixture(params=BACKENDS)
def world(
    request: pytest.FixtureRequest,
    admin_pages_factory: AdminPagesFactory,
    make_sandbox: SandboxFactory,
    salesforce_for: Callable[..., Salesforce],
) -> World:
    return _world(request.param, admin_pages_factory, make_sandbox(), salesforce_for)


def _world(
    backend: str,
    factory: AdminPagesFactory,
    sandbox: SandboxServer,
    salesforce_for: Callable[..., Salesforce],
) -> World:
    pages = factory(backend=backend)
    pages.add_admin("acme", "ann@acme.example.com")
    pages.connect_to("acme", sandbox)
    with pages.runtime.sessions() as session:
        allow_objects(session, get_org(session, "acme"), ["Lead", "Contact", "Account"])
        session.commit()
    return World(pages, Api(pages), sandbox, salesforce_for(sandbox))


def person(n: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "first_name": "Ada",
        "last_name": f"Lovelace {n}",
        "email": f"ada{n}@acme.example.com",
        "company_name": "Acme",
        "company_website": "https://www.acme.example.com/team",
        **fields,
    }


def test_a_contact_export_creates_the_account_and_links_the_contact(world: World) -> None:
    answer = world.export("Contact", person(direct_phone="+1 201 555 0101"))

    assert answer.status_code == 200
    document = answer.json()
    assert (document["status"], document["created"], document["failed"]) == ("succeeded", 1, 0)
    (result,) = document["results"]
    assert (result["row"], result["action"], result["errors"]) == (1, "created", [])
    (contact,) = world.records("SELECT Id, LastName, Phone, AccountId FROM Contact")
    (account,) = world.records("SELECT Id, Name, Website FROM Account")
    assert contact["Id"] == result["salesforce_id"]
    assert (contact["LastName"], contact["Phone"]) == ("Lovelace 1", "+1 201 555 0101")
    assert contact["AccountId"] == account["Id"] == result["account_id"]
    assert account["Name"] == "Acme"
    run = world.api.get(f"/runs/{document['run_id']}").json()
    assert (run["stream"], run["status"], run["created"]) == ("export:Contact", "succeeded", 1)
    assert document == {**document, "api_calls": run["api_calls"], "error": None}


def test_exporting_again_updates_what_the_first_export_made_and_makes_nothing_twice(
    world: World,
) -> None:
    first = world.export("Lead", person(), person(2)).json()
    again = world.export("Lead", person(job_title="Analyst"), person(2)).json()

    assert [r["action"] for r in first["results"]] == ["created", "created"]
    assert [r["action"] for r in again["results"]] == ["updated", "unchanged"]
    assert [r["salesforce_id"] for r in again["results"]] == [
        r["salesforce_id"] for r in first["results"]
    ]
    leads = world.records("SELECT Email, Title FROM Lead ORDER BY Email")
    assert [(lead["Email"], lead["Title"]) for lead in leads] == [
        ("ada1@acme.example.com", "Analyst"),
        ("ada2@acme.example.com", None),
    ]


def test_a_person_sent_twice_is_one_lead_created_and_counted_once(world: World) -> None:
    """The second prospect of a person is `unchanged` by the one write, dry run and real alike,
    and the run's log says so, naming both."""
    sent = (person(), person(2), person(job_title="Analyst"))

    rehearsed = world.export("Lead", *sent, dry_run=True).json()
    document = world.export("Lead", *sent).json()

    for report in (rehearsed, document):
        assert (report["created"], report["unchanged"]) == (2, 1)
        assert [r["action"] for r in report["results"]] == ["created", "created", "unchanged"]
        assert [r["same_person_as"] for r in report["results"]] == [None, None, 1]
    assert len(world.records("SELECT Id FROM Lead")) == 2
    ada, _, again = document["results"]
    assert again["salesforce_id"] == ada["salesforce_id"]
    log = world.api.get(f"/runs/{document['run_id']}").json()["log"]
    assert [(e["level"], e["record_ref"], e["code"]) for e in log] == [
        ("warning", "row 3", "same_person")
    ]
    assert log[0]["message"].startswith("the same person as row 1: ")


def test_a_bad_prospect_fails_alone_named_by_its_position_and_field(world: World) -> None:
    answer = world.export(
        "Lead", person(1), person(2, email="bob@", compnay_name="Acme"), person(3, employees=12.0)
    )

    assert answer.status_code == 200
    document = answer.json()
    assert (document["status"], document["created"], document["failed"]) == ("partial", 2, 1)
    failed = document["results"][1]
    assert (failed["row"], failed["action"], failed["salesforce_id"]) == (2, "failed", None)
    assert [problem["field"] for problem in failed["errors"]] == ["email", "column 'compnay_name'"]
    assert "'bob@' is not an email address" in failed["errors"][0]["message"]
    assert "(did you mean 'company_name'?)" in failed["errors"][1]["message"]
    assert sorted(lead["Email"] for lead in world.records("SELECT Email FROM Lead")) == [
        "ada1@acme.example.com",
        "ada3@acme.example.com",
    ]
    log = world.api.get(f"/runs/{document['run_id']}").json()["log"]
    assert {(entry["record_ref"], entry["field"]) for entry in log} == {
        ("row 2", "email"),
        ("row 2", "column 'compnay_name'"),
    }


def test_a_nul_character_fails_its_prospect_naming_the_field_and_the_others_are_exported(
    world: World,
) -> None:
    answer = world.export(
        "Lead", person(1, last_name="Bad\u0000Nul"), person(2, **{"no\u0000te": "x"}), person(3)
    )

    assert answer.status_code == 200
    document = answer.json()
    assert (document["status"], document["created"], document["failed"]) == ("partial", 1, 2)
    nul, key, _ = document["results"]
    assert [(e["field"], e["message"]) for e in nul["errors"]] == [
        (
            "last_name",
            "'Bad\\x00Nul' holds a NUL character (U+0000), which no field can keep: remove it",
        ),
        (
            "LastName",
            "Lead.LastName is required, and no mapped prospect field holds a usable value for it "
            "(the value of last_name was refused)",
        ),
    ]
    assert [e["field"] for e in key["errors"]] == ["column 'no\\x00te'"]
    assert [lead["LastName"] for lead in world.records("SELECT LastName FROM Lead")] == [
        "Lovelace 3"
    ]
    log = world.api.get(f"/runs/{document['run_id']}").json()["log"]
    assert {(entry["record_ref"], entry["field"]) for entry in log} == {
        ("row 1", "last_name"),
        ("row 1", "LastName"),
        ("row 2", "column 'no\\x00te'"),
    }


def test_a_key_spelled_as_salesforce_names_a_field_is_told_apart_from_that_field(
    world: World,
) -> None:
    sent = {"last_name": "Lovelace", "email": "ada@acme.example.com", "Company": "Acme"}

    document = world.export("Lead", sent, dry_run=True).json()

    [result] = document["results"]
    column, required = result["errors"]
    assert column["field"] == "column 'Company'"
    assert "(did you mean 'company_name'?)" in column["message"]
    assert required["field"] == "Company"
    assert required["message"].startswith("Lead.Company is required")


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (True, "must be a string or a number, not a boolean"),
        ([1], "must be a string or a number, not a list"),
        (2.5, "'2.5' is not a whole number"),
        ("1e2", "exponent notation is not read"),
    ],
)
def test_a_value_no_csv_cell_would_hold_fails_its_prospect_naming_the_field(
    world: World, value: Any, said: str
) -> None:
    document = world.export("Lead", person(employees=value), dry_run=True).json()

    (result,) = document["results"]
    assert result["action"] == "failed"
    assert [(e["field"], said in e["message"]) for e in result["errors"]] == [("employees", True)]


def test_a_dry_run_writes_nothing_and_says_what_would_be_written(world: World) -> None:
    answer = world.export("Contact", person(job_title="Analyst"), dry_run=True)

    assert answer.status_code == 200
    (result,) = answer.json()["results"]
    assert result["action"] == "created"
    assert result["values"]["Title"] == "Analyst"
    assert result["account"]["action"] == "created"
    assert result["account"]["values"]["Name"] == "Acme"
    assert world.records("SELECT Id FROM Contact") == []
    assert world.records("SELECT Id FROM Account") == []
    assert world.prospects_stored() == 0


def test_an_export_while_another_of_the_org_holds_its_lease_is_refused_naming_its_run(
    world: World,
) -> None:
    scope = OrgScope(world.org_id())
    with world.pages.runtime.sessions() as session:
        going = start_run(session, get_org(session, "acme"), "export:Lead", dry_run=False)
        session.commit()
        going_id = going.id
    assert take_lease(world.pages.runtime.engine, scope, EXPORT, ELSEWHERE, timedelta(minutes=2))

    refused = world.export("Contact", person())
    rehearsed = world.export("Contact", person(), dry_run=True)

    assert refused.status_code == 409
    assert (refused.json()["error"], refused.json()["run_id"]) == ("export_running", going_id)
    assert (
        f"is running (run {going_id}; forcebridge runs show {going_id})"
        in (refused.json()["message"])
    )
    assert rehearsed.status_code == 200  # a dry run writes nothing an export writes
    assert world.records("SELECT Id FROM Contact") == []
    assert world.prospects_stored() == 0
    assert release_lease(world.pages.runtime.engine, scope, EXPORT, ELSEWHERE)
    assert world.export("Contact", person()).json()["created"] == 1


def test_a_mapping_found_invalid_once_the_run_started_names_the_run_it_ended(
    world: World,
) -> None:
    """A mapped field deleted in Salesforce since the describe was cached: the lookup's query
    is refused, the describe fetched anew, and the export refused; its run ends failed."""
    linkedin = {"FullName": "Contact.LinkedIn__c", "Metadata": {"type": "Url", "label": "In"}}
    made = world.sf.toolingexecute("sobjects/CustomField/", method="POST", data=linkedin)
    overwrite = UpdateOption.OVERWRITE
    with world.pages.runtime.sessions() as session:
        rows = [("last_name", "LastName", overwrite), ("linkedin_url", "LinkedIn__c", overwrite)]
        save_org_mapping(session, get_org(session, "acme"), "Contact", rows)
        session.commit()
    lia = person(linkedin_url="https://li/lia")
    assert world.export("Contact", lia).json()["created"] == 1  # the describe is cached
    world.sf.toolingexecute(f"sobjects/CustomField/{made['id']}", method="DELETE")

    refused = world.export("Contact", lia)
    again = world.export("Contact", lia)  # the describe fetched anew: refused before a run

    assert refused.status_code == 409
    document = refused.json()
    assert (document["error"], list(document)) == (
        "mapping_invalid",
        ["error", "message", "run_id"],
    )
    assert "Contact has no field 'LinkedIn__c'" in document["message"]
    run = world.api.get(f"/runs/{document['run_id']}").json()
    assert (run["stream"], run["status"], run["read"]) == ("export:Contact", "failed", 1)
    assert "Contact has no field 'LinkedIn__c'" in run["error"]
    assert (again.status_code, again.json()["run_id"]) == (409, None)
    assert again.json()["message"] == document["message"]


def test_another_orgs_token_cannot_export_into_this_orgs_connection(world: World) -> None:
    other = bearer(api_token(world.pages, "other"))
    body = {"object": "Lead", "prospects": [person()]}

    bare = world.pages.client.post("/api/v1/exports", json=body, headers=other)
    named = world.pages.client.post(
        "/api/v1/exports", json={**body, "connection": "sandbox"}, headers=other
    )

    assert bare.status_code == 409
    assert bare.json() == {
        "error": "salesforce_unavailable",
        "message": "Your organisation has no Salesforce connection: an admin connects one "
        "first (the Connections page, or forcebridge connect).",
        "run_id": None,
    }
    assert named.status_code == 422
    assert named.json()["message"] == (
        "The request could not be taken: connection: your organisation has no Salesforce "
        "connection 'sandbox' (it has none)."
    )
    assert world.records("SELECT Id FROM Lead") == []
    with world.pages.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 0


def test_an_admin_session_exports_with_its_form_token_and_a_viewer_is_refused(
    world: World,
) -> None:
    pages = world.pages
    pages.add_admin("acme", "val@acme.example.com", AdminRole.VIEWER)
    body = {"object": "Lead", "prospects": [person()]}

    def post_as(email: str) -> httpx.Response:
        pages.client.cookies.clear()
        pages.log_in("acme", email)
        form = {HEADER: form_token(pages.client.get("/connections").text)}
        return pages.client.post("/api/v1/exports", json=body, headers=form)

    viewer = post_as("val@acme.example.com")
    admin = post_as("ann@acme.example.com")

    assert viewer.status_code == 403
    assert viewer.json()["error"] == "forbidden"
    assert admin.status_code == 200
    assert admin.json()["created"] == 1


def test_an_object_the_org_does_not_allow_is_refused_with_the_command_that_allows_it(
    world: World,
) -> None:
    with world.pages.runtime.sessions() as session:
        disallow_objects(session, get_org(session, "acme"), ["Contact"])
        session.commit()

    answer = world.export("Contact", person())

    assert answer.status_code == 403
    assert answer.json()["error"] == "export_not_allowed"
    assert "forcebridge export allow --org acme Contact" in answer.json()["message"]
    assert world.prospects_stored() == 0


def test_a_contact_without_an_account_the_org_may_not_make_names_how_to_allow_it(
    world: World,
) -> None:
    with world.pages.runtime.sessions() as session:
        disallow_objects(session, get_org(session, "acme"), ["Account"])
        session.commit()

    document = world.export("Contact", person()).json()
    world.pages.log_in("acme", "ann@acme.example.com")
    page = world.pages.client.get(f"/runs/{document['run_id']}")

    [result] = document["results"]
    [error] = result["errors"]
    assert (result["action"], error["field"]) == ("failed", "company_name")
    assert error["message"] == (
        "its Account was not created: no Account in Salesforce matches this company, and org "
        "'acme' does not allow exports to create Accounts; an admin can allow them with: "
        "forcebridge export allow --org acme Account"
    )
    entry = page.text.split('class="log-entry"')[1].split("</tr>")[0]
    assert "forcebridge export allow" not in entry  # the pages have a control for it
    assert (
        "an admin can allow them by ticking Account under &#34;Objects users may export to&#34; "
        'on <a href="/export">the Export page</a>'
    ) in entry


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"object": "Account", "prospects": [{}]}, "object: Input should be 'Lead' or 'Contact'"),
        ({"object": "Lead", "prospects": []}, "prospects: List should have at least 1 item"),
        ({"object": "Lead", "prospects": [{}, "x"]}, "prospects.2: Input should be a valid dict"),
        ({"object": "Lead", "prospects": [{}], "dryrun": True}, "dryrun: Extra inputs"),
        ({"object": "Lead", "prospects": [{}], "dry_run": "yes"}, "dry_run: Input should be a"),
        ({"object": "Lead", "prospects": [{}], "dry_run": "true"}, "dry_run: Input should be a"),
        ({"object": "Lead", "prospects": [{}], "dry_run": 1}, "dry_run: Input should be a"),
        (
            {"object": "Lead", "prospects": [{"email": "a@b.co"}] * (MAX_PROSPECTS + 1)},
            f"prospects: List should have at most {MAX_PROSPECTS} items",
        ),
    ],
)
def test_a_body_the_api_cannot_take_is_refused_whole_naming_the_field(
    api: Api, body: dict[str, Any], said: str
) -> None:
    answer = api.post("/exports", body)

    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_request"
    assert said in answer.json()["message"]


def test_a_client_gone_midway_leaves_the_export_to_finish_its_run_and_free_the_lease(
    admin_pages_factory: AdminPagesFactory,
    make_sandbox: SandboxFactory,
    salesforce_for: Callable[..., Salesforce],
) -> None:
    """The export runs in a thread of its own, which no disconnect cancels."""
    world = _world("sqlite", admin_pages_factory, make_sandbox(latency_ms=200), salesforce_for)
    email = f"{uuid.uuid4().hex}@acme.example.com"
    body = {"object": "Contact", "prospects": [person(email=email)]}

    with served_locally(world.pages.client.app) as url:  # type: ignore[arg-type]
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(f"{url}/api/v1/exports", json=body, headers=world.api.headers, timeout=0.3)
        deadline = time.monotonic() + 30
        while not _ended(world.api.get("/runs").json()["runs"]):
            assert time.monotonic() < deadline, "the export never ended its run"
            time.sleep(0.2)

    (run,) = world.api.get("/runs").json()["runs"]
    assert (run["status"], run["created"]) == ("succeeded", 1)
    assert [c["Email"] for c in world.records("SELECT Email FROM Contact")] == [email]
    assert world.export("Contact", person(email=email)).json()["results"][0]["action"] == (
        "unchanged"
    )


def _ended(runs: list[dict[str, Any]]) -> bool:
    return bool(runs) and all(run["status"] != RunStatus.RUNNING.value for run in runs)
