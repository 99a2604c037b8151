"""Who is calling the REST API, and so which org its answers are scoped to.

The product calls with an API token of one org (`Authorization: Bearer fbt_...`, made by
`forcebridge api-token create`); scripts in an admin's browser call with the admin session
cookie, like the pages. A request that carries an `Authorization` header is judged by it alone,
never by a cookie beside it: so it needs no form token (`csrf.py`), since nothing a browser
sends on its own vouches for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from forcebridge.store.errors import InvalidValue, NotFound
from forcebridge.store.models import Org, Service
from forcebridge.store.repositories.api_tokens import presented_token, record_use
from forcebridge.store.repositories.services import get_service
from forcebridge.store.types import utcnow
from forcebridge.web.api_errors import ApiNotFound, InvalidToken
from forcebridge.web.dependencies import Database, current_admin
from forcebridge.web.errors import Forbidden

PREFIX = "/api/v1"
AUTHORIZATION = "Authorization"


@dataclass(frozen=True)
class ApiCaller:
    org_id: int
    org_name: str
    can_change: bool
    """False for a viewer's session; a token may do whatever the API offers."""


def is_api(connection: HTTPConnection) -> bool:
    return connection.url.path.startswith(PREFIX + "/")


def bearer_token(connection: HTTPConnection) -> str | None:
    """The token of an API request's `Authorization: Bearer <token>` header, if it has one."""
    if not is_api(connection):
        return None
    scheme, _, token = connection.headers.get(AUTHORIZATION, "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


BEARER = HTTPBearer(
    auto_error=False,
    description="An API token of the org: `forcebridge api-token create --org ORG --name NAME`.",
)
"""Declares the token scheme in the OpenAPI description; the header itself is read below."""


def api_caller(
    request: Request,
    session: Database,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> ApiCaller:
    """The token's org, or the signed-in admin's; use of a token is recorded (once a minute)."""
    if AUTHORIZATION not in request.headers:
        admin = current_admin(request, session)
        return ApiCaller(admin.org_id, admin.org_name, admin.can_change)
    presented = bearer_token(request)
    token = presented_token(session, presented) if presented else None
    if token is None:
        raise InvalidToken()
    org = session.get_one(Org, token.org_id)
    if record_use(session, token, utcnow()):
        session.commit()
    return ApiCaller(org.id, org.name, can_change=True)


Caller = Annotated[ApiCaller, Depends(api_caller)]


def changing_caller(caller: Caller) -> ApiCaller:
    """The caller, who must be allowed to change things (a token, or an admin's session)."""
    if not caller.can_change:
        raise Forbidden("A viewer's session can read the API but not change anything.")
    return caller


ChangingCaller = Annotated[ApiCaller, Depends(changing_caller)]


def caller_service(session: Session, caller: ApiCaller, name: str) -> Service:
    """The caller's org's service of that name; another org's is not found, like none. A name
    with its org (`acme/shop`) is said to be one, wherever it was given."""
    if "/" in name:
        raise ApiNotFound(
            f"No service {name!r}: services are named without their org, as "
            f"{name.rsplit('/', 1)[-1]!r} (GET {PREFIX}/services lists them)."
        )
    unknown = ApiNotFound(f"No service {name!r} in your organisation.")
    if not name.isprintable():  # what no name holds (a NUL), which PostgreSQL cannot compare
        raise unknown
    try:
        return get_service(session, f"{caller.org_name}/{name}")
    except (NotFound, InvalidValue) as error:
        raise unknown from error
