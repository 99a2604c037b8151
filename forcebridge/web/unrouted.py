"""Addresses no route takes, read for the address the caller most likely meant: the same one
without its trailing slash (`/runs/`), or, under the API, a service named with its org
(`/api/v1/services/acme/shop/contacts`, `acme%2Fshop` alike once decoded).

Starlette's own slash redirect is off (`app.py`): it answered any method, before any token was
checked, with a `Location` built from the request's `Host` header, which the client chooses
(and with `http://` behind a TLS proxy). The pages redirect here instead, to a relative
address; the API answers why, in its JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from forcebridge.web.api_caller import PREFIX

Routed = Callable[[str], bool]
"""Whether some route of the app takes a path (whatever the method)."""

SERVICES = f"{PREFIX}/services/"


def without_slash(path: str, routed: Routed) -> str | None:
    """The path without its trailing slashes, when a route takes it that way."""
    bare = path.rstrip("/")
    if not bare or bare == path or not routed(bare):
        return None
    return bare


@dataclass(frozen=True)
class OrgInName:
    """A service addressed as `org/name`, and the path that names it as the API does."""

    named: str
    meant: str


def service_with_its_org(path: str, routed: Routed) -> OrgInName | None:
    """`acme/shop` and `/api/v1/services/shop/contacts` for
    `/api/v1/services/acme/shop/contacts`, when a route takes the latter."""
    if not path.startswith(SERVICES):
        return None
    org, _, rest = path.removeprefix(SERVICES).partition("/")
    service = rest.partition("/")[0]
    meant = SERVICES + rest
    if not (org and service) or not routed(meant):
        return None
    return OrgInName(f"{org}/{service}", meant)
