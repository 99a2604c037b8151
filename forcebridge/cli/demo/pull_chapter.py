"""Chapter: keep two services' contact books in step with the sandbox org."""

from __future__ import annotations

from typing import cast

from simple_salesforce import Salesforce, SFType

from forcebridge.cli.demo.commands import CommandRunner
from forcebridge.cli.demo.narration import Narrator

SUPPORT = "acme/support"
SALES = "acme/sales"


def pull_contacts(narrator: Narrator, run: CommandRunner, sf: Salesforce) -> None:
    narrator.chapter(
        "Pull Salesforce into the contact books",
        "The first pull reads everything; later pulls read only what changed since the "
        "watermark, deletions included, for one API call per object when nothing did. Two "
        "services share the connection: records are read once and routed to each.",
    )
    run(["service", "configure", SUPPORT, "--pull", "both", "--pull-every", "5"])
    run(["service", "configure", SALES, "--pull", "contacts", "--routing", "LeadSource = 'Web'"])
    narrator.note(
        "a dry run first: it decides every record as the real pull will (a person who is both "
        "a Lead and a Contact becomes one contact), and changes nothing"
    )
    run(["pull", "--service", SUPPORT, "--dry-run"])
    run(["pull", "--service", SUPPORT])

    changed = _change_some_records(sf)
    narrator.note(
        f"meanwhile in Salesforce: {changed['updated']} Contacts edited, one deleted, "
        "one Lead converted into a Contact"
    )
    run(["pull", "--service", SUPPORT])
    run(["pull", "--service", SUPPORT])
    run(["runs", "list", "--service", SUPPORT])
    narrator.found("Pull", "full first sync, then incremental runs costing one call per object")


def _change_some_records(sf: Salesforce) -> dict[str, int]:
    """What a sales team does between two pulls: edits, a deletion, a Lead conversion."""
    contacts = sf.query("SELECT Id FROM Contact ORDER BY Id LIMIT 6")["records"]
    contact = cast(SFType, sf.Contact)
    for record in contacts[:5]:
        contact.update(record["Id"], {"Title": "VP Customer Success"})
    contact.delete(contacts[5]["Id"])
    lead = sf.query(
        "SELECT Id FROM Lead WHERE IsConverted = false AND Email != null ORDER BY Id LIMIT 1"
    )["records"][0]
    converted = sf.session.post(
        f"https://{sf.sf_instance}/sandbox/leads/{lead['Id']}/convert", headers=sf.headers, json={}
    )
    converted.raise_for_status()
    return {"updated": len(contacts[:5])}
