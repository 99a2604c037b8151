"""What every route is handed: the runtime, a database session, the signed-in admin.

Every page that reads org data depends on `current_admin`, and every REST API call on
`api_caller` (an API token's org, else the signed-in admin's); every query either makes is
filtered by that org: a row of another org is reported exactly like a missing one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from forcebridge.jobs.execute import settle_dead_holders
from forcebridge.jobs.runtime import Runtime
from forcebridge.store.models import AdminRole, AdminUser, Org
from forcebridge.web.errors import SESSION_ENDED, SESSION_EXPIRED, Forbidden, LoginRequired
from forcebridge.web.sessions import signed_in


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def database(request: Request) -> Iterator[Session]:
    """A session for the request; what a route leaves uncommitted is rolled back."""
    with runtime_of(request).sessions() as session:
        yield session


Database = Annotated[Session, Depends(database)]


def settle_dead_here(request: Request) -> None:
    """Free the leases that dead processes of this machine (a killed worker) left held and
    fail their runs, as `runs list` does, before a page or API call shows runs or streams: a
    killed run reads failed (`worker_lost`) and its stream Retrying, not running and OK. Cheap:
    only holders named for this machine are looked at; other machines' are the sweeper's."""
    settle_dead_holders(runtime_of(request).engine)


SETTLED = Depends(settle_dead_here)
"""A route's dependency (`dependencies=[SETTLED]`): it runs before the route's session opens."""


@dataclass(frozen=True)
class Admin:
    """The signed-in admin, as loaded for this request (so a deleted account stops at once)."""

    id: int
    email: str
    role: AdminRole
    org_id: int
    org_name: str

    @property
    def can_change(self) -> bool:
        return self.role is AdminRole.ADMIN


def session_admin(request: Request, session: Session) -> AdminUser | None:
    """The admin whose session the request carries, if it is still one: its time up, a logout
    since (a later session epoch) or a deleted account (its id now another's, or none's) ends
    it."""
    who = signed_in(request)
    if who is None or who.expired(time.time()):
        return None
    admin = session.get(AdminUser, who.admin_id)
    return admin if admin is not None and who.is_session_of(admin) else None


def current_admin(request: Request, session: Database) -> Admin:
    who = signed_in(request)
    if who is None:
        raise LoginRequired()
    if who.expired(time.time()):
        raise LoginRequired(SESSION_EXPIRED)
    admin = session_admin(request, session)
    org = session.get(Org, admin.org_id) if admin is not None else None
    if admin is None or org is None:
        raise LoginRequired(SESSION_ENDED)
    return Admin(id=admin.id, email=admin.email, role=admin.role, org_id=org.id, org_name=org.name)


CurrentAdmin = Annotated[Admin, Depends(current_admin)]


def signed_in_admin(request: Request) -> Admin | None:
    """The admin of the request's session, if it is one, for a page no route made (an error's):
    it shows the navigation all the same. None, too, when the database cannot say."""
    try:
        with runtime_of(request).sessions() as session:
            return current_admin(request, session)
    except (LoginRequired, SQLAlchemyError):
        return None


def changing_admin(admin: CurrentAdmin) -> Admin:
    """The signed-in admin, who must be allowed to change settings (not a viewer)."""
    if not admin.can_change:
        raise Forbidden("Your account can view this organisation's settings but not change them.")
    return admin


ChangingAdmin = Annotated[Admin, Depends(changing_admin)]
