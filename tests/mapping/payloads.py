"""Small describe payloads of our own making, for what the recorded ones do not show."""

from __future__ import annotations

from typing import Any


def field_payload(name: str, type_: str, **facts: Any) -> dict[str, Any]:
    """One describe field entry, writable and nillable unless told otherwise."""
    picklist = facts.pop("picklist", ())
    return {
        "name": name,
        "label": facts.pop("label", name),
        "type": type_,
        "nillable": True,
        "createable": True,
        "updateable": True,
        "defaultedOnCreate": False,
        "picklistValues": [{"value": value, "active": True} for value in picklist],
        **facts,
    }


def object_payload(name: str, *fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "label": name,
        "fields": [field_payload("Id", "id", createable=False, updateable=False), *fields],
    }
