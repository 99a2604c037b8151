"""The JSON API under `/api/v1/`: what the admin pages show, for scripts and the product.

For now a caller authenticates with the admin session cookie (and, for anything but GET, the
`X-CSRF-Token` header, like the pages' own scripts). `api_caller` is the one place that decides
who is calling: API tokens for the product will be accepted there, scoped to their org like a
session, without touching the endpoints.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from forcebridge.store.repositories.connections import list_connections
from forcebridge.store.repositories.orgs import get_org
from forcebridge.sync.connections import org_connection_status
from forcebridge.web.connection_views import connection_view
from forcebridge.web.dependencies import Admin, CurrentAdmin, Database

PREFIX = "/api/v1"

router = APIRouter(prefix=PREFIX)


def api_caller(admin: CurrentAdmin) -> Admin:
    """Who is calling the API, and so which org its answers are scoped to."""
    return admin


Caller = Annotated[Admin, Depends(api_caller)]


@router.get("/connections")
def connections(caller: Caller, session: Database) -> dict[str, Any]:
    """The org's connections with their status; never a token or secret."""
    org = get_org(session, caller.org_name)
    overall = org_connection_status(session, org)
    return {
        "org": {
            "name": org.name,
            "status": overall.state.value,
            "problem": overall.problem.value if overall.problem else None,
            "message": overall.message,
        },
        "connections": [connection_view(c).as_json() for c in list_connections(session, org)],
    }
