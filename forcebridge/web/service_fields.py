"""The service page's own contact fields: added and removed as `forcebridge service field`
does, with the same checks (`forcebridge.sync.custom_contact_fields`); the outcome is the
notice the page shows next, and a refused field comes back as it was typed, the form's field at
fault marked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from forcebridge.mapping.contact_fields import CustomFieldSpec, custom_field_problem
from forcebridge.store.errors import StoreError
from forcebridge.store.models import CustomFieldType
from forcebridge.sync.custom_contact_fields import define_field, remove_field
from forcebridge.web.dependencies import ChangingAdmin, Database
from forcebridge.web.form_problems import FormProblems, about, quoting
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


def field_at_fault(name: str, kind: str, choices: list[str]) -> str:
    """The form's field a refused definition is about: its name, unless the name would do
    with any type, then its type, then its choices; else the name, taken already."""
    if custom_field_problem(CustomFieldSpec(name, CustomFieldType.TEXT.value)) is not None:
        return "field_name"
    if kind not in {t.value for t in CustomFieldType}:
        return "field_type"
    spec = CustomFieldSpec(name, kind, tuple(choices) if choices else None)
    return "field_choices" if custom_field_problem(spec) is not None else "field_name"


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
    try:
        define_field(session, service, name.strip(), kind, listed)
    except StoreError as error:
        session.rollback()
        at_fault = about(
            field_at_fault(name.strip(), kind, listed), quoting(str(error), name.strip())
        )
        typed = FieldForm(name, kind, choices, FormProblems(FIELDS, (at_fault,)))
        return page_with_forms(
            request, admin, session, service, SettingsForm.of(service), typed, status_code=400
        )
    session.commit()
    flash(request, f"Field {name.strip()} added: the pull mappings may now write to it.", FIELDS)
    return _back_to_fields(service_id)


@router.post(PAGE + "/{service_id}/fields/{name}/remove")
def remove(
    request: Request, service_id: int, name: str, admin: ChangingAdmin, session: Database
) -> RedirectResponse:
    service = org_service(session, admin, service_id)
    try:
        remove_field(session, service, name)
    except StoreError as error:
        session.rollback()
        flash(request, sentence(f"Field not removed: {quoting(str(error), name)}"), FIELDS)
    else:
        session.commit()
        flash(request, f"Field {name} removed; contacts keep the values they hold.", FIELDS)
    return _back_to_fields(service_id)
