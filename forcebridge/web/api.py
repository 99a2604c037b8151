"""The REST API under `/api/v1/`: what the admin pages show, and what the product does with
forcebridge, as JSON.

Who is calling is decided in one place, `api_caller`: an API token of one org (the product),
or an admin's session cookie (the pages' own scripts, which then send the `X-CSRF-Token` header
with anything but GET); every answer is scoped to that org. The endpoints of services, runs and
exports live in `api_services`, `api_runs` and `api_exports`; the connections', here. Each
operation documents its answer's shape (`api_documents`, returned as built, not remade through
it) and the refusals it may answer (`api_errors.refusals`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from forcebridge.store.repositories.connections import list_connections
from forcebridge.store.repositories.orgs import get_org
from forcebridge.sync.connections import org_connection_status
from forcebridge.web import api_exports, api_runs, api_services
from forcebridge.web.api_bodies import Utf8JsonRoute
from forcebridge.web.api_caller import PREFIX as PREFIX
from forcebridge.web.api_caller import Caller
from forcebridge.web.api_documents import Connections
from forcebridge.web.api_errors import refusals
from forcebridge.web.connection_views import connection_view
from forcebridge.web.dependencies import Database

router = APIRouter(prefix=PREFIX, route_class=Utf8JsonRoute)


@router.get(
    "/connections",
    response_model=None,
    responses={200: {"model": Connections, "description": "The org's connections"}, **refusals()},
)
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


router.include_router(api_services.router)
router.include_router(api_runs.router)
router.include_router(api_exports.router)
