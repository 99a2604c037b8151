"""Chapter: keep two services' contact books in step with the sandbox org."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from simple_salesforce import Salesforce, SFType

from forcebridge.cli.demo.commands import CommandRunner
from forcebridge.cli.demo.narration import Narrator
from forcebridge.mapping.defaults import default_pull_mapping

SUPPORT = "acme/support"
SALES = "acme/sales"
LOYALTY = "Loyalty__c"


def pull_contacts(narrator: Narrator, run: CommandRunner, sf: Salesforce, data: Path) -> None:
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
    narrator.note(
        "the daily reconciliation (serve or a worker runs it; here by hand) reads every Id "
        "through Bulk API 2.0 to find what incremental reads cannot see: records purged for "
        "good, or that left a rule without being changed"
    )
    run(["reconcile", "--service", SUPPORT])
    run(["runs", "list", "--service", SUPPORT])
    narrator.found("Pull", "full first sync, then incremental runs costing one call per object")
    _follow_the_schema(narrator, run, sf, data)


def _follow_the_schema(narrator: Narrator, run: CommandRunner, sf: Salesforce, data: Path) -> None:
    """A field an admin adds in Salesforce, mapped to a contact field of the service's own;
    then deleted, which the next pull names instead of failing obscurely."""
    made = sf.toolingexecute(
        "sobjects/CustomField",
        method="POST",
        data={"FullName": f"Contact.{LOYALTY}", "Metadata": {"type": "Text", "label": "Loyalty",
                                                            "length": 20}},
    )  # fmt: skip
    for record in sf.query("SELECT Id FROM Contact ORDER BY Id LIMIT 4")["records"]:
        cast(SFType, sf.Contact).update(record["Id"], {LOYALTY: "Gold"})
    narrator.note(
        f"an admin adds {LOYALTY} to Contact in Salesforce (Tooling API); the support team "
        "gives its contact book a field of its own and maps it"
    )
    run(["service", "field", "add", SUPPORT, "loyalty", "--type", "choice",
         "--choice", "Gold", "--choice", "Silver"])  # fmt: skip
    rows = [
        {"source": row.source, "target": row.target, "update": row.update.value}
        for row in default_pull_mapping("Contact").rows
    ]
    mapping = data / "support-contact-mapping.json"
    rows.append({"source": LOYALTY, "target": "loyalty", "update": "overwrite"})
    mapping.write_text(json.dumps({"rows": rows}, indent=2), encoding="utf-8")
    run(["mapping", "set", "--service", SUPPORT, "--object", "Contact", "--file", str(mapping)])
    run(["pull", "--service", SUPPORT])
    sf.toolingexecute(f"sobjects/CustomField/{made['id']}", method="DELETE")
    narrator.note(
        f"then the admin deletes {LOYALTY}: the next pull fails and names the "
        "mapping row that needs it (Needs Attention), until the mapping is changed"
    )
    run(["pull", "--service", SUPPORT], allowed_exit=1)
    mapping.write_text(json.dumps({"rows": rows[:-1]}, indent=2), encoding="utf-8")
    run(["mapping", "set", "--service", SUPPORT, "--object", "Contact", "--file", str(mapping)])
    run(["pull", "--service", SUPPORT])
    narrator.found(
        "Schema changes", f"{LOYALTY} added, mapped, pulled; deleted, and the failure names it"
    )


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
