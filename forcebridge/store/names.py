"""The names people give orgs, services and connections, and the `ORG/SERVICE` path.

Names are typed on command lines and shown in URLs, so they are checked once, here, before
anything is stored under them.
"""

from __future__ import annotations

from forcebridge.store.errors import InvalidValue
from forcebridge.store.models.base import NAME_LENGTH


def check_name(kind: str, name: str) -> str:
    """`name` unchanged when it can be stored as the name of a `kind`; InvalidValue otherwise."""
    problem = None
    if not name or len(name) > NAME_LENGTH:
        problem = f"must have 1 to {NAME_LENGTH} characters"
    elif name != name.strip():
        problem = "must not start or end with a space"
    elif "/" in name:
        problem = "must not contain '/' (it separates ORG/SERVICE)"
    elif not name.isprintable():
        problem = "must not contain control characters"
    if problem:
        raise InvalidValue(f"{kind} name {name!r} {problem}")
    return name


def split_service_path(path: str) -> tuple[str, str]:
    """("ORG", "SERVICE") from "ORG/SERVICE"."""
    org, slash, service = path.partition("/")
    if not slash or not org or not service or "/" in service:
        raise InvalidValue(f"service {path!r} must be written ORG/SERVICE, e.g. acme/support")
    return org, service
