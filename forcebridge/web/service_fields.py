"""The service page's own contact fields: added and removed as `forcebridge service field`
does, with the same checks (`forcebridge.sync.custom_contact_fields`); the outcome is the
notice the page shows next, and a refused field comes back as it was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from forcebridge.store.errors import StoreError
from forcebridge.sync.custom_contact_fields import define_field, remove_field
from forcebridge.web.dependencies import ChangingAdmin, Database
from forcebridge.web.pages import flash
from forcebridge.web.services import (
    FIELDS,
    PAGE,
    FieldForm,
    SettingsForm,
    org_service,
    page_with_forms,
)
from forcebridge.wording import sentence

router = APIRouter()


def _made(
    request: Request, session: Session, change: Callable[[], object], *, done: str, refused: str
) -> bool:
    """Make `change` and commit it, noting `done`; or take it back when the store refuses it,
    noting why. The note is the notice the page shows next, in its fields' section."""
    try:
        change()
    except StoreError as error:
        session.rollback()
        flash(request, sentence(f"{refused}: {error}"), FIELDS)
        return False
    session.commit()
    flash(request, done, FIELDS)
    return True


def _back_to_fields(service_id: int) -> RedirectResponse:
    return RedirectResponse(f"{PAGE}/{service_id}#{FIELDS}", status_code=303)


@router.post(PAGE + "/{service_id}/fields")
def add_field(
    request: Request,
    service_id: int,
    admin: ChangingAdmin,
    session: Database,
    name: Annotated[str, Form()],
    kind: Annotated[str, Form(alias="type")],
    choices: Annotated[str, Form()] = "",
) -> Response:
    """`choices`: a choice field's values, separated by commas."""
    service = org_service(session, admin, service_id)
    listed = [choice for choice in choices.split(",") if choice.strip()]
    if _made(
        request,
        session,
        lambda: define_field(session, service, name.strip(), kind, listed),
        done=f"Field {name.strip()} added: the pull mappings may now write to it.",
        refused="Field not added",
    ):
        return _back_to_fields(service_id)
    typed = FieldForm(name, kind, choices)
    return page_with_forms(
        request, admin, session, service, SettingsForm.of(service), typed, status_code=400
    )


@router.post(PAGE + "/{service_id}/fields/{name}/remove")
def remove(
    request: Request, service_id: int, name: str, admin: ChangingAdmin, session: Database
) -> RedirectResponse:
    service = org_service(session, admin, service_id)
    _made(
        request,
        session,
        lambda: remove_field(session, service, name),
        done=f"Field {name} removed; contacts keep the values they hold.",
        refused="Field not removed",
    )
    return _back_to_fields(service_id)
