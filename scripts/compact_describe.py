"""Derive the sandbox's built-in object specs from describe payloads recorded from a real org.

    python scripts/compact_describe.py /work/shared/salesforce/describe

For each recorded standard object it keeps only the facts: a key is written when its value
differs from what the spec reader defaults to or what `describe.py` derives from the type. It
drops the recording org's own custom fields (a new org has none), adds the standard fields that
org hid from its user, and checks that rendering each spec gives back the recorded fields
exactly. Task, User and Organization have no recording; their specs are written by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from forcebridge.sandbox.describe import OBJECT_DEFAULTS, describe_field
from forcebridge.sandbox.schema import (
    BUILTIN_DIR,
    DEFAULT_URLS,
    FIELD_KEYS,
    FieldSpec,
    field_from_json,
)

RECORDED = ("Account", "Contact", "Lead", "Opportunity", "Event")


def _opt_out(name: str, label: str) -> dict[str, Any]:
    return {
        "name": name,
        "type": "boolean",
        "label": label,
        "nillable": False,
        "defaultedOnCreate": True,
        "defaultValue": False,
    }


#: Standard fields every new org has that the recording org hid: inserted after OwnerId.
HIDDEN_FIELDS = {
    "Contact": [
        _opt_out("HasOptedOutOfEmail", "Email Opt Out"),
        _opt_out("HasOptedOutOfFax", "Fax Opt Out"),
        _opt_out("DoNotCall", "Do Not Call"),
    ],
    "Lead": [
        _opt_out("HasOptedOutOfEmail", "Email Opt Out"),
        _opt_out("HasOptedOutOfFax", "Fax Opt Out"),
        _opt_out("DoNotCall", "Do Not Call"),
    ],
}
_SPEC_DEFAULTS = {
    key: getattr(FieldSpec("x", "string", "x"), attr) for key, attr in FIELD_KEYS.items()
}


def compact_field(recorded: dict[str, Any], child_name: str | None) -> dict[str, Any]:
    spec = {k: v for k, v in recorded.items() if k in FIELD_KEYS and v != _SPEC_DEFAULTS[k]}
    spec["name"], spec["type"], spec["label"] = (
        recorded["name"],
        recorded["type"],
        recorded["label"],
    )
    if recorded.get("referenceTo"):
        spec["referenceTo"] = recorded["referenceTo"]
    if recorded.get("picklistValues"):
        spec["picklistValues"] = [_compact_entry(e) for e in recorded["picklistValues"]]
    if child_name:
        spec["childRelationshipName"] = child_name
    derived = describe_field(field_from_json(spec, "compact"))
    spec.update({k: v for k, v in recorded.items() if derived.get(k) != v})
    if describe_field(field_from_json(spec, "check")) != recorded:
        raise AssertionError(f"{recorded['name']}: the compact spec does not render back")
    return {k: spec[k] for k in ("name", "type", "label")} | spec


def _compact_entry(entry: dict[str, Any]) -> str | dict[str, Any]:
    plain = entry["active"] and not entry["defaultValue"] and entry["validFor"] is None
    return entry["value"] if plain and entry["label"] == entry["value"] else entry


def compact_object(recorded: dict[str, Any], child_names: dict[str, str]) -> dict[str, Any]:
    name = recorded["name"]
    spec: dict[str, Any] = {
        "name": name,
        "label": recorded["label"],
        "labelPlural": recorded["labelPlural"],
        "keyPrefix": recorded["keyPrefix"],
    }
    urls = list(recorded["urls"])
    if tuple(urls) != DEFAULT_URLS:
        spec["urls"] = urls
    spec.update(
        {k: v for k, v in recorded.items() if k in OBJECT_DEFAULTS and OBJECT_DEFAULTS[k] != v}
    )
    fields = []
    for recorded_field in recorded["fields"]:
        if recorded_field["name"].endswith("__c"):
            continue
        fields.append(compact_field(recorded_field, child_names.get(recorded_field["name"])))
        if recorded_field["name"] == "OwnerId":
            fields.extend(HIDDEN_FIELDS.get(name, []))
    spec["fields"] = fields
    return spec


def child_relationship_names(payloads: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """child object -> lookup field -> the relationship name its parents give it."""
    names: dict[str, dict[str, str]] = {}
    for parent in payloads.values():
        for child in parent["childRelationships"]:
            if child["childSObject"] in payloads and child["relationshipName"]:
                names.setdefault(child["childSObject"], {})[child["field"]] = child[
                    "relationshipName"
                ]
    return names


def write_spec(spec: dict[str, Any], folder: Path) -> None:
    """One field per line, so a change to a field is a one-line diff."""
    header = {k: v for k, v in spec.items() if k != "fields"}
    lines = [json.dumps(header, ensure_ascii=False)[:-1] + ', "fields": [']
    lines.append(",\n".join("  " + json.dumps(f, ensure_ascii=False) for f in spec["fields"]))
    lines.append("]}")
    (folder / f"{spec['name']}.json").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(source: Path) -> None:
    payloads = {
        name: json.loads((source / f"{name}.json").read_text(encoding="utf-8")) for name in RECORDED
    }
    names = child_relationship_names(payloads)
    for name, payload in payloads.items():
        write_spec(compact_object(payload, names.get(name, {})), BUILTIN_DIR)
        print(f"wrote {BUILTIN_DIR / name}.json")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/salesforce/describe"))
