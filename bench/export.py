"""Benchmark: export prospects with forcebridge, and the straightforward way, side by side.

10,000 prospects at 2,000 companies, half of them already in Salesforce (as Leads, or as
Contacts at their Accounts). Each approach gets its own sandbox holding the same records, and
the sandbox counts the API calls each spends, so both are measured by the same meter.

- forcebridge: `forcebridge export` from a CSV file (batched lookups, sObject Collections).
- one by one: simple-salesforce, for each prospect one query to find it by email, then one
  create or update; for a new Contact also one query for its Account (website domain or name)
  and, when there is none yet, one create.

    .venv/bin/python bench/export.py [--object Lead|Contact|both] [--prospects 10000]
                                     [--companies 2000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simple_salesforce import Salesforce

from forcebridge.salesforce.client import ClientSettings, SalesforceClient
from forcebridge.salesforce.tokens import TokenSet
from forcebridge.sandbox.clients import simple_salesforce
from forcebridge.sandbox.config import SandboxConfig
from forcebridge.sandbox.server import SandboxServer
from forcebridge.soql.builder import contains, eq, select, to_soql
from forcebridge.store.crypto import Keyring
from forcebridge.store.engine import make_engine, make_sessionmaker
from forcebridge.store.migrations import upgrade
from forcebridge.store.repositories.export_preferences import allow_objects
from forcebridge.store.repositories.orgs import create_org
from forcebridge.sync.connections import connect_with_password
from forcebridge.sync.export import export_file
from forcebridge.sync.export_identity import website_domain

COLUMNS = [
    "first_name", "last_name", "email", "direct_phone", "job_title", "department",
    "company_name", "company_website", "industry", "city", "country",
]  # fmt: skip
PERSON = {
    "first_name": "FirstName",
    "last_name": "LastName",
    "email": "Email",
    "direct_phone": "Phone",
    "job_title": "Title",
}
LEAD = PERSON | {
    "company_name": "Company",
    "company_website": "Website",
    "industry": "Industry",
    "city": "City",
    "country": "Country",
}
CONTACT = PERSON | {"department": "Department", "city": "MailingCity", "country": "MailingCountry"}
ACCOUNT = {
    "company_name": "Name",
    "company_website": "Website",
    "industry": "Industry",
    "city": "BillingCity",
    "country": "BillingCountry",
}
FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim")
LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson")
INDUSTRIES = ("Banking", "Technology", "Retail", "Energy", "Healthcare", "Education")
TITLES = ("CEO", "CTO", "VP Sales", "Head of Operations", "Engineer", "Analyst")


def prospects(count: int, companies: int, seed: int = 7) -> list[dict[str, str]]:
    """`count` people spread evenly over `companies` companies; a fifth of the companies have
    no website, so they are matched by name."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        company = i % companies
        rows.append(
            {
                "first_name": rng.choice(FIRST),
                "last_name": f"{rng.choice(LAST)}-{i}",
                "email": f"person{i}@company{company}.example",
                "direct_phone": f"+1 555 {i:07d}",
                "job_title": rng.choice(TITLES),
                "department": "Sales",
                "company_name": f"Company {company} Ltd",
                "company_website": ""
                if company % 5 == 4
                else f"https://www.company{company}.example/",
                "industry": INDUSTRIES[company % len(INDUSTRIES)],
                "city": "Springfield",
                "country": "United States",
            }
        )
    return rows


def present(row: dict[str, str], companies: int) -> bool:
    """The first half of the companies, and their people, are in Salesforce already."""
    return int(row["email"].split("@company")[1].split(".")[0]) < companies // 2


def values(row: dict[str, str], mapping: dict[str, str]) -> dict[str, Any]:
    return {field: row[column] for column, field in mapping.items() if row[column]}


@contextmanager
def sandbox(folder: Path) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(data_dir=folder, port=0)) as server:
        yield server


def forcebridge_client(server: SandboxServer) -> SalesforceClient:
    tokens = TokenSet(
        access_token=server.access_token(),
        instance_url=server.base_url,
        id_url=f"{server.base_url}/id/{server.org.org_id}/{server.org.admin_user_id}",
        issued_at=dt.datetime.now(dt.UTC),
    )
    return SalesforceClient(tokens, ClientSettings("bench", ca_file=server.ca_file))


def put_present(
    server: SandboxServer, sobject: str, rows: list[dict[str, str]], companies: int
) -> None:
    """The records already in Salesforce, written in bulk before the clock starts; their people
    have no phone or title yet, so the export has something to update."""
    blank = {"direct_phone": "", "job_title": ""}
    existing = [row | blank for row in rows if present(row, companies)]
    with forcebridge_client(server) as client:
        if sobject == "Lead":
            client.collection_create("Lead", [values(row, LEAD) for row in existing])
        else:
            firsts = {row["company_name"]: row for row in existing}
            made = client.collection_create(
                "Account", [values(r, ACCOUNT) for r in firsts.values()]
            )
            account_of = {name: result.id for name, result in zip(firsts, made, strict=True)}
            client.collection_create(
                "Contact",
                [
                    values(row, CONTACT) | {"AccountId": account_of[row["company_name"]]}
                    for row in existing
                ],
            )
    server.reset_usage()


@dataclass(frozen=True)
class Measure:
    calls: int
    by_kind: dict[str, int]
    seconds: float
    records: dict[str, int]


def counted(server: SandboxServer, started: float) -> Measure:
    seconds = time.perf_counter() - started
    sf = simple_salesforce(server)
    usage = server.usage()
    records = {
        name: sf.query(f"SELECT COUNT() FROM {name}")["totalSize"]
        for name in ("Lead", "Contact", "Account")
    }
    return Measure(usage.used, dict(usage.by_kind), seconds, records)


def with_forcebridge(
    server: SandboxServer, sobject: str, rows: list[dict[str, str]], folder: Path
) -> Measure:
    path = folder / "prospects.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    url = f"sqlite:///{folder / 'forcebridge.sqlite3'}"
    upgrade(url)
    engine = make_engine(url, Keyring("bench-secret-key-long-enough-for-the-keyring"))
    with make_sessionmaker(engine)() as session, forcebridge_client(server) as client:
        org = create_org(session, "bench")
        allow_objects(session, org, ["Lead", "Contact", "Account"])
        session.commit()
        connection = connect_with_password(
            session,
            org.name,
            "sandbox",
            login_url=server.base_url,
            client_id=server.config.client_id,
            client_secret=server.config.client_secret,
            username=server.config.username,
            password=server.config.password,
            ca_file=server.ca_file,
        )
        started = time.perf_counter()
        report = export_file(session, client, org, sobject, path, connection_id=connection.id)
    engine.dispose()
    failed = [r for r in report.results if r.errors]
    if failed:
        raise SystemExit(f"forcebridge failed {len(failed)} prospects, e.g. {failed[0]}")
    return counted(server, started)


def one_by_one(server: SandboxServer, sobject: str, rows: list[dict[str, str]]) -> Measure:
    sf = simple_salesforce(server)
    started = time.perf_counter()
    for row in rows:
        found = sf.query(
            to_soql(select("Id").from_(sobject).where(eq("Email", row["email"])).build())
        )
        mapping = LEAD if sobject == "Lead" else CONTACT
        record = values(row, mapping)
        if found["records"]:
            sf.restful(
                f"sobjects/{sobject}/{found['records'][0]['Id']}", method="PATCH", json=record
            )
            continue
        if sobject == "Contact":
            record["AccountId"] = account_for(sf, row)
        sf.restful(f"sobjects/{sobject}/", method="POST", json=record)
    return counted(server, started)


def account_for(sf: Salesforce, row: dict[str, str]) -> str:
    """One query for the company's Account (website domain, else name), one create if none."""
    domain = website_domain(row["company_website"])
    match = contains("Website", domain) if domain else eq("Name", row["company_name"])
    found = sf.query(to_soql(select("Id", "Website").from_("Account").where(match).build()))
    for record in found["records"]:
        if domain is None or website_domain(record["Website"]) == domain:
            return str(record["Id"])
    created = sf.restful("sobjects/Account/", method="POST", json=values(row, ACCOUNT))
    assert created is not None
    return str(created["id"])


def compare(sobject: str, count: int, companies: int) -> None:
    rows = prospects(count, companies)
    print(f"{sobject} export: {count:,} prospects at {companies:,} companies, half present")
    measures = {}
    with tempfile.TemporaryDirectory(prefix="fb-bench-export-") as tmp:
        for name in ("forcebridge", "one by one"):
            folder = Path(tmp) / name.replace(" ", "-")
            folder.mkdir()
            with sandbox(folder / "sandbox") as server:
                put_present(server, sobject, rows, companies)
                if name == "forcebridge":
                    measures[name] = with_forcebridge(server, sobject, rows, folder)
                else:
                    measures[name] = one_by_one(server, sobject, rows)
    print(f"  {'':<14}{'API calls':>12}{'wall time':>12}   calls by kind; records afterwards")
    for name, measure in measures.items():
        kinds = ", ".join(f"{kind} {n:,}" for kind, n in sorted(measure.by_kind.items()))
        held = ", ".join(f"{n} {c:,}" for n, c in measure.records.items() if c)
        print(f"  {name:<14}{measure.calls:>12,}{measure.seconds:>10.1f} s   {kinds}; {held}")
    ours, theirs = measures["forcebridge"], measures["one by one"]
    print(
        f"  forcebridge: {theirs.calls / ours.calls:,.0f}x fewer calls,"
        f" {theirs.seconds / ours.seconds:,.1f}x faster"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--object", choices=("Lead", "Contact", "both"), default="both")
    parser.add_argument("--prospects", type=int, default=10_000)
    parser.add_argument("--companies", type=int, default=2_000)
    args = parser.parse_args()
    for sobject in ("Lead", "Contact") if args.object == "both" else (args.object,):
        compare(sobject, args.prospects, args.companies)


if __name__ == "__main__":
    main()
