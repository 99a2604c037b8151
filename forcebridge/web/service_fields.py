"""The service page's own contact fields: added and removed as `forcebridge service field`
does, with the same checks (`forcebridge.sync.custom_contact_fields`); the outcome, refusal
included, is the notice the page shows next."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from forcebridge.store.errors import StoreError
from forcebridge.sync.custom_contact_fields import define_field, remove_field
from forcebridge.web.dependencies import ChangingAdmin, Database
from forcebridge.web.pages import flash
from forcebridge.web.services import PAGE, org_service

router = APIRouter()


def _back(service_id: int) -> RedirectResponse:
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
    try:
        define_field(session, service, name.strip(), kind, listed)
    except StoreError as refused:
        session.rollback()
        flash(request, f"Field not added: {refused}")
        return _back(service_id)
    session.commit()
    flash(request, f"Field {name.strip()} added: the pull mappings may now write to it.")
    return _back(service_id)


@router.post(PAGE + "/{service_id}/fields/{name}/remove")
def remove(
    request: Request, service_id: int, name: str, admin: ChangingAdmin, session: Database
) -> RedirectResponse:
    service = org_service(session, admin, service_id)
    try:
        remove_field(session, service, name)
    except StoreError as refused:
        session.rollback()
        flash(request, f"Field not removed: {refused}")
        return _back(service_id)
    session.commit()
    flash(request, f"Field {name} removed; contacts keep the values they hold.")
    return _back(service_id)
