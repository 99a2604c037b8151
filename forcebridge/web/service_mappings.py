"""The service page's pull mapping editor posts: add or remove a row, or Verify and Save; what
is not saved comes back on the page as edited, Salesforce out of reach included."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from forcebridge.mapping.model import UpdateOption
from forcebridge.salesforce.errors import NotFound
from forcebridge.store.models import PullObjects
from forcebridge.sync.mapping_admin import MappingRefused, save_pull_mapping
from forcebridge.web import mapping_editor
from forcebridge.web.dependencies import ChangingAdmin, Database
from forcebridge.web.errors import PageNotFound
from forcebridge.web.pages import notify_at
from forcebridge.web.pull_editors import pull_editor
from forcebridge.web.salesforce_access import SalesforceUnavailable, service_client
from forcebridge.web.services import (
    PAGE,
    SETTINGS,
    SettingsForm,
    org_service,
    pulled_objects,
    render_service_page,
)

router = APIRouter()


@router.post(
    PAGE + "/{service_id}/mappings/{sobject}",
    response_class=HTMLResponse,
    form_limits={"max_fields": mapping_editor.MAX_FIELDS},
)
def edit_pull_mapping(
    request: Request,
    service_id: int,
    sobject: str,
    admin: ChangingAdmin,
    session: Database,
    posted: mapping_editor.Submitted,
    new_source: Annotated[str, Form()] = "",
    then_soql: Annotated[str, Query()] = "",
) -> Response:
    """Verify and Save, or add / remove a row; what is not saved comes back as edited.

    An object the service does not pull yet may be mapped too, before a custom query reads it:
    `then_soql` is that query, which the page then offers to save."""
    service = org_service(session, admin, service_id)
    mapping, edited = posted.mapping, posted.edited(UpdateOption.OVERWRITE, new_source)
    form = SettingsForm.of(service)
    if then_soql.strip():
        form = replace(form, pull=PullObjects.CUSTOM.value, soql=then_soql)
    pulled = sobject in pulled_objects(service)
    try:
        with service_client(session, service) as client:
            if not pulled:
                try:
                    client.describe(sobject)
                except NotFound:
                    raise PageNotFound("Salesforce object") from None
            if not posted.saving:
                shown = pull_editor(session, client, service, sobject, edited)
                return render_service_page(
                    request, admin, session, client, service, form, shown, then_soql=then_soql
                )
            try:
                report = save_pull_mapping(
                    session, client, service, sobject, mapping, posted.problems
                )
            except MappingRefused as refused:
                shown = pull_editor(session, client, service, sobject, mapping, refused.report)
                return render_service_page(
                    request, admin, session, client, service, form, shown,
                    status_code=400, then_soql=then_soql,
                )  # fmt: skip
    except SalesforceUnavailable as unavailable:
        kept = mapping_editor.unchecked(sobject, edited, unavailable.message)
        return render_service_page(
            request, admin, session, None, service, form, kept,
            status_code=unavailable.status, mappings_unavailable=unavailable.message,
            then_soql=then_soql,
        )  # fmt: skip
    session.commit()
    page = f"{PAGE}/{service_id}"
    if pulled:
        saved = f"{sobject} pull mapping saved; the next run reads it again. {report.message}"
        return notify_at(request, page, saved, f"mapping-{sobject}")
    shown_query = f"?{urlencode({'soql': then_soql})}" if then_soql.strip() else ""
    saved = f"{sobject} pull mapping saved: save the settings to pull {sobject} with it."
    return notify_at(request, page + shown_query, saved, SETTINGS)
