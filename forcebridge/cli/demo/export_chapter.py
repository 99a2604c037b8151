"""Chapter: prospects exported as Contacts with their Accounts, then exported again."""

from __future__ import annotations

import csv
from pathlib import Path

from simple_salesforce import Salesforce

from forcebridge.cli.demo.commands import CommandRunner
from forcebridge.cli.demo.narration import Narrator

ORG = "acme"
COLUMNS = (
    "first_name", "last_name", "email", "direct_phone", "job_title", "company_name",
    "company_website", "company_phone", "industry", "city", "country",
)  # fmt: skip
NEW_COMPANIES = (
    ("Northwind Robotics", "https://northwind-robotics.example", "Machinery"),
    ("Bluefin Analytics", "https://www.bluefin-analytics.example", "Technology"),
    ("Cedar & Stone", "cedarstone.example", "Construction"),
)
NEW_PEOPLE = (
    ("Amara", "Okafor"), ("Lucas", "Meyer"), ("Sofia", "Rossi"), ("Kenji", "Tanaka"),
    ("Priya", "Nair"), ("Mateo", "Garcia"),
)  # fmt: skip


def export_prospects(narrator: Narrator, run: CommandRunner, sf: Salesforce, folder: Path) -> None:
    narrator.chapter(
        "Export prospects to Salesforce",
        "Prospects become Contacts linked to their Account, found by website domain, then "
        "name, and created as needed. Existing people are found by email in batched lookups "
        "and updated field by field; the same person twice in one file is written once.",
    )
    path = folder / "prospects.csv"
    rows = _prospects(sf)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    narrator.note(
        f"{path}: {len(rows)} prospects (new people at new companies, people already in "
        "Salesforce, one duplicate row and one bad email)"
    )
    run(["export", "allow", "--org", ORG, "Contact", "Account", "Lead"])
    run(["export", "--org", ORG, "--object", "Contact", str(path)], allowed_exit=1)
    narrator.note(
        "the same file again: the prospects now carry their Salesforce Ids, nothing changed, "
        "so nothing is written and no duplicate appears"
    )
    run(["export", "--org", ORG, "--object", "Contact", str(path)], allowed_exit=1)
    narrator.found("Export", f"{len(rows)} prospects as Contacts + Accounts; re-export idempotent")


def _prospects(sf: Salesforce) -> list[dict[str, str]]:
    existing = sf.query(
        "SELECT FirstName, LastName, Email, Account.Name, Account.Website FROM Contact "
        "WHERE Email != null AND AccountId != null ORDER BY Id LIMIT 4"
    )["records"]
    rows = [
        {
            "first_name": record["FirstName"] or "",
            "last_name": record["LastName"],
            "email": record["Email"],
            "job_title": "Head of Operations",
            "company_name": record["Account"]["Name"],
            "company_website": record["Account"]["Website"] or "",
        }
        for record in existing
    ]
    for index, (first, last) in enumerate(NEW_PEOPLE):
        company, website, industry = NEW_COMPANIES[index % len(NEW_COMPANIES)]
        rows.append(
            {
                "first_name": first,
                "last_name": last,
                "email": f"{first}.{last}@{website.split('//')[-1].removeprefix('www.')}".lower(),
                "direct_phone": f"+44 20 7946 0{index:03d}" if index % 2 else "",
                "job_title": "Procurement Lead",
                "company_name": company,
                "company_website": website,
                "company_phone": "+1 415 555 0100",
                "industry": industry,
                "city": "London",
                "country": "United Kingdom",
            }
        )
    rows.append(dict(rows[-1]))
    rows.append({"first_name": "Nobody", "last_name": "Atall", "email": "not-an-email"})
    return [{column: row.get(column, "") for column in COLUMNS} for row in rows]
