"""The service page's own contact fields: added and removed as `forcebridge service field`
does, with the same checks (`forcebridge.sync.custom_contact_fields`); the outcome, refusal
included, is the notice the page shows next."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from forcebridge.store.errors import StoreError
from forcebridge.sync.custom_contact_fields import define_field, remove_field
from forcebridge.web.dependencies import ChangingAdmin, Database
from forcebridge.web.pages import flash
from forcebridge.web.services import PAGE, org_service

router = APIRouter()


def _done(
    request: Request,
    session: Session,
    service_id: int,
    change: Callable[[], object],
    *,
    done: str,
    refused: str,
) -> RedirectResponse:
    """Make `change` and commit it, or take it back when the store refuses it; either way the
    page comes back with the outcome as its notice."""
    try:
        change()
    except StoreError as error:
        session.rollback()
        flash(request, f"{refused}: {error}")
    else:
        session.commit()
        flash(request, done)
    return RedirectResponse(f"{PAGE}/{service_id}#fields", status_code=303)


@router.post(PAGE + "/{service_id}/fields")
def add_field(
    request: Request,
    service_id: int,
    admin: ChangingAdmin,
    session: Database,
    name: Annotated[str, Form()],
    kind: Annotated[str, Form(alias="type")],
    choices: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """`choices`: a choice field's values, separated by commas."""
    service = org_service(session, admin, service_id)
    listed = [choice for choice in choices.split(",") if choice.strip()]
    return _done(
        request,
        session,
        service_id,
        lambda: define_field(session, service, name.strip(), kind, listed),
        done=f"Field {name.strip()} added: the pull mappings may now write to it.",
        refused="Field not added",
    )


@router.post(PAGE + "/{service_id}/fields/{name}/remove")
def remove(
    request: Request, service_id: int, name: str, admin: ChangingAdmin, session: Database
) -> RedirectResponse:
    service = org_service(session, admin, service_id)
    return _done(
        request,
        session,
        service_id,
        lambda: remove_field(session, service, name),
        done=f"Field {name} removed; contacts keep the values they hold.",
        refused="Field not removed",
    )
