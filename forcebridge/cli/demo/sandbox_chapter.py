"""Chapter 1: a Salesforce org of our own, and real clients talking to it."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from rich.table import Table
from simple_salesforce.exceptions import SalesforceMalformedRequest

from forcebridge.cli.demo.narration import Narrator
from forcebridge.cli.output import fail
from forcebridge.salesforce.client import ClientSettings, SalesforceClient
from forcebridge.salesforce.endpoints import trusted_sandbox
from forcebridge.salesforce.oauth import ConnectedApp, OAuthClient
from forcebridge.sandbox.clients import simple_salesforce
from forcebridge.sandbox.config import DEFAULT_HOST, SandboxConfig
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.seed import seed
from forcebridge.sandbox.server import SandboxServer, SandboxStartError, bind_socket
from forcebridge.soql.builder import select, starts_with, to_soql

API_VERSION = "62.0"


@dataclass(frozen=True)
class DemoSize:
    contacts: int
    leads: int
    accounts: int


def check_port(port: int) -> None:
    """Refuses at once, before an earlier demo's folder is emptied or an org seeded, a port the
    sandbox could not listen on (another demo's, or a sandbox of one's own)."""
    if port:
        try:
            bind_socket(DEFAULT_HOST, port).close()
        except SandboxStartError as error:
            _refuse(error)


def _refuse(error: SandboxStartError) -> NoReturn:
    fail(f"the demo's sandbox {error}: give it another port with --port N (0 picks a free one)")


def start_sandbox(narrator: Narrator, data_dir: Path, size: DemoSize, port: int) -> SandboxServer:
    """Seeds a fresh org in `data_dir` and serves it over HTTPS on `port` (0: a free one)."""
    narrator.chapter(
        "A Salesforce org of our own",
        "The sandbox is a Salesforce-compatible HTTPS server: its own CA, OAuth, REST, SOQL, "
        "Bulk API 2.0 and 1.0, limits and faults. Here it is seeded with messy, realistic data.",
    )
    org = Org(data_dir)
    # An org in use for a day already: records written seconds before a pull are within its
    # watermark's overlap, and would be read again by every pull of the demo.
    loaded_at = org.clock() - dt.timedelta(days=1)
    report = seed(
        org,
        contacts=size.contacts,
        leads=size.leads,
        accounts=size.accounts,
        seed=42,
        loaded_at=loaded_at,
    )
    org.close()
    try:
        server = SandboxServer(SandboxConfig(data_dir=data_dir, port=port)).start()
    except SandboxStartError as error:  # taken since `check_port`
        _refuse(error)
    narrator.note(
        f"seeded {report.accounts:,} Accounts, {report.contacts:,} Contacts and "
        f"{report.leads:,} Leads ({report.converted_leads} already converted) "
        f"in {report.seconds:.1f} s"
    )
    narrator.note(f"serving {server.base_url}  (trust {server.ca_file})")
    narrator.note(
        f"login: {server.config.username} / {server.config.password}, "
        f"client id {server.config.client_id}"
    )
    narrator.found("Sandbox org", f"{report.contacts + report.leads + report.accounts:,} records")
    return server


def show_clients(narrator: Narrator, server: SandboxServer) -> None:
    """simple-salesforce and forcebridge's own client, unchanged, against the sandbox."""
    narrator.chapter(
        "Real Salesforce clients accept it",
        "simple-salesforce talks to the sandbox exactly as it would to Salesforce; forcebridge's "
        "own client (retries, call counting, typed errors) sits on top of it.",
    )
    sf = simple_salesforce(server)
    describe: dict[str, Any] = sf.restful("sobjects/Contact/describe") or {}
    fields = {f["name"]: f for f in describe["fields"]}
    parts = [f["name"] for f in describe["fields"] if f["compoundFieldName"] == "MailingAddress"]
    narrator.note(
        f"describe Contact: {len(fields)} fields, e.g. "
        f'"{fields["Phone"]["label"]} (Phone)"; MailingAddress is compound: {", ".join(parts)}'
    )

    query = to_soql(
        select("Id", "FirstName", "LastName", "Email", "Account.Name")
        .from_("Contact")
        .where(starts_with("LastName", "sm"))
        .order_by("LastName", "Id")
        .limit(5)
        .build()
    )
    narrator.note(f"a query written by forcebridge's SOQL builder:\n  [green]{query}")
    table = Table("Id", "Name", "Email", "Account")
    for record in sf.query(query)["records"]:
        account = record["Account"]["Name"] if record["Account"] else "-"
        name = f"{record['FirstName'] or ''} {record['LastName']}".strip()
        table.add_row(record["Id"], name, record["Email"] or "-", account)
    narrator.console.print(table)

    try:
        sf.query("SELECT Id FROM Contact WHERE")
    except SalesforceMalformedRequest as error:
        content: Any = error.content  # simple-salesforce types it loosely; it is Salesforce's list
        problem = content[0]
        narrator.note(
            f"a broken query gets Salesforce's answer: [yellow]{problem['errorCode']}[/] "
            + problem["message"].strip().splitlines()[-1]
        )

    sources = sf.query("SELECT LeadSource, COUNT(Id) n FROM Lead GROUP BY LeadSource")["records"]
    narrator.note(
        "GROUP BY, answered as Salesforce answers it: "
        + ", ".join(f"{r['LeadSource'] or 'no source'} {r['n']}" for r in sources)
    )
    for account in sf.query(
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account "
        "WHERE Id IN (SELECT AccountId FROM Contact) ORDER BY Name LIMIT 1"
    )["records"]:
        people = [c["LastName"] for c in account["Contacts"]["records"]]
        more = ", ..." if len(people) > 3 else ""
        narrator.note(
            f"a child subquery and a semi-join in one query: {account['Name']} has "
            f"{len(people)} Contacts ({', '.join(people[:3])}{more})"
        )

    found = sf.search("FIND {Smith} IN NAME FIELDS RETURNING Contact(Name), Lead(Name)")
    kinds = Counter(r["attributes"]["type"] for r in found["searchRecords"])
    narrator.note(
        "a SOSL search, FIND {Smith} IN NAME FIELDS: "
        + ", ".join(f"{n} {kind}s" for kind, n in sorted(kinds.items()))
    )
    v = f"/services/data/v{API_VERSION}"
    answered: Any = sf.restful(
        "composite",
        method="POST",
        json={
            "allOrNone": True,
            "compositeRequest": [
                {
                    "method": "POST",
                    "url": f"{v}/sobjects/Account",
                    "referenceId": "account",
                    "body": {"Name": "Composite Demo Co"},
                },
                {
                    "method": "GET",
                    "url": f"{v}/sobjects/Account/@{{account.id}}?fields=Name",
                    "referenceId": "readBack",
                },
                {
                    "method": "DELETE",
                    "url": f"{v}/sobjects/Account/@{{account.id}}",
                    "referenceId": "gone",
                },
            ],
        },
    )
    answers = answered["compositeResponse"]
    narrator.note(
        "a composite request, one API call: an Account created, read back by reference "
        "(@{account.id}) and deleted, answered "
        + ", ".join(str(a["httpStatusCode"]) for a in answers)
    )

    config = server.config
    oauth = OAuthClient(
        trusted_sandbox(server.base_url, server.ca_file),
        ConnectedApp(config.client_id, config.client_secret),
    )
    client = SalesforceClient(
        oauth.password_grant(config.username, config.password),
        ClientSettings(connection_id="demo", api_version=API_VERSION, ca_file=server.ca_file),
        oauth=oauth,
    )
    started = time.perf_counter()
    read = pages = 0
    for page in client.query_pages("SELECT Id, Email, SystemModstamp FROM Contact"):
        read += len(page.records)
        pages += 1
    seconds = time.perf_counter() - started
    calls = client.usage.snapshot().api_calls
    narrator.note(
        f"forcebridge's client read {read:,} Contacts in {pages} pages "
        f"({read / seconds:,.0f} records/s) for {calls} API calls"
    )
    narrator.found("Read all Contacts", f"{read:,} records, {calls} API calls")
    used = server.usage()
    narrator.note(f"the sandbox counted {used.used} API calls of {used.limit:,} allowed today")
