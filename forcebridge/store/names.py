"""The names people give orgs, services and connections, and the `ORG/SERVICE` path.

Names are typed on command lines and shown in URLs, so they are checked once, here, before
anything is stored under them.
"""

from __future__ import annotations

from forcebridge.store.errors import InvalidValue
from forcebridge.store.models.base import NAME_LENGTH
from forcebridge.wording import quoted


def check_name(kind: str, name: str) -> str:
    """`name` unchanged when it can be stored as the name of a `kind`; InvalidValue otherwise,
    quoting it as messages quote a typed value (a long one by its start and its length). Spaces
    alone are no name: they are refused as an empty one is, never read as none given."""
    problem = None
    if not name.strip() or len(name) > NAME_LENGTH:
        problem = f"must have 1 to {NAME_LENGTH} characters"
    elif name != name.strip():
        problem = "must not start or end with a space"
    elif "/" in name:
        problem = "must not contain '/' (it separates ORG/SERVICE)"
    elif not name.isprintable():
        problem = "must not contain control characters"
    if problem:
        raise InvalidValue(f"{kind} name {quoted(name)} {problem}")
    return name


def typed_name(kind: str, typed: str | None) -> str | None:
    """The name of a `kind` typed in a form, without the spaces around it; None when the form
    gave none, for the caller's default. A field of spaces alone is refused (`check_name`), not
    taken for none given: that would quietly pick the default name, and log in again a
    connection that already has it."""
    if typed is None:
        return None
    return check_name(kind, typed.strip() or typed)


def split_service_path(path: str) -> tuple[str, str]:
    """("ORG", "SERVICE") from "ORG/SERVICE"."""
    org, slash, service = path.partition("/")
    if not slash or not org or not service or "/" in service:
        raise InvalidValue(f"service {path!r} must be written ORG/SERVICE, e.g. acme/support")
    return org, service
