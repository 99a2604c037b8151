"""The export settings page: which objects an org's users may export to, and each object's
mapping, edited and "Verify and Save"d against the org's live describe."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from forcebridge.mapping.describe import parse_describe
from forcebridge.mapping.model import Mapping, UpdateOption
from forcebridge.mapping.prospect_fields import PROSPECT_FIELDS
from forcebridge.mapping.report import VerificationReport
from forcebridge.salesforce.client import SalesforceClient
from forcebridge.store.models import Org
from forcebridge.store.repositories.export_preferences import (
    allow_objects,
    allowed_objects,
    disallow_objects,
)
from forcebridge.store.repositories.orgs import get_org
from forcebridge.sync.mapping_admin import (
    MappingRefused,
    save_export_mapping,
    show_export_mapping,
    verify_export_mapping,
)
from forcebridge.web import mapping_editor
from forcebridge.web.dependencies import Admin, ChangingAdmin, CurrentAdmin, Database
from forcebridge.web.errors import PageNotFound, WebError
from forcebridge.web.mapping_editor import Editor, editor, local_choices, salesforce_choices
from forcebridge.web.pages import flash, render, take_notice
from forcebridge.web.salesforce_access import SalesforceUnavailable, org_client

PAGE = "/export"
EXPORT_OBJECTS = ("Lead", "Contact", "Account")

router = APIRouter()


@router.get(PAGE, response_class=HTMLResponse)
def export_page(request: Request, admin: CurrentAdmin, session: Database) -> Response:
    org = get_org(session, admin.org_name)
    try:
        with org_client(session, org) as client:
            return _page(request, admin, session, client, org)
    except SalesforceUnavailable as unavailable:
        # Which objects may be exported needs no Salesforce: shown, with why mappings are not.
        return _page(request, admin, session, None, org, mappings_unavailable=unavailable.message)


@router.post(PAGE + "/objects")
def save_allowed_objects(
    request: Request,
    admin: ChangingAdmin,
    session: Database,
    objects: Annotated[list[str] | None, Form()] = None,
) -> RedirectResponse:
    org = get_org(session, admin.org_name)
    unknown = sorted(set(objects or []) - set(EXPORT_OBJECTS))
    if unknown:
        raise WebError(f"Users can only export to {', '.join(EXPORT_OBJECTS)}, not {unknown[0]}.")
    chosen = [name for name in EXPORT_OBJECTS if name in (objects or [])]
    disallow_objects(session, org, [name for name in EXPORT_OBJECTS if name not in chosen])
    allowed = allow_objects(session, org, chosen)
    session.commit()
    flash(request, f"Users may export to: {', '.join(allowed) or 'nothing'}.")
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/mappings/{sobject}", response_class=HTMLResponse)
def edit_export_mapping(
    request: Request,
    sobject: str,
    admin: ChangingAdmin,
    session: Database,
    posted: mapping_editor.Submitted,
) -> Response:
    """Verify and Save, or add / remove a row; what is not saved comes back as edited."""
    if sobject not in EXPORT_OBJECTS:
        raise PageNotFound("export object")
    org = get_org(session, admin.org_name)
    mapping, edited = posted.mapping, posted.edited(UpdateOption.FILL_EMPTY)
    try:
        with org_client(session, org) as client:
            if not posted.saving:
                return _page(request, admin, session, client, org, _editor(client, sobject, edited))
            try:
                report = save_export_mapping(session, client, org, sobject, mapping)
            except MappingRefused as refused:
                shown = _editor(client, sobject, mapping, refused.report)
                return _page(request, admin, session, client, org, shown, status_code=400)
    except SalesforceUnavailable as unavailable:
        kept = mapping_editor.unchecked(sobject, edited, unavailable.message)
        return _page(
            request, admin, session, None, org, kept,
            status_code=unavailable.status, mappings_unavailable=unavailable.message,
        )  # fmt: skip
    session.commit()
    flash(request, f"{sobject} export mapping saved. {report.message}")
    return RedirectResponse(f"{PAGE}#mapping-{sobject}", status_code=303)


def _page(
    request: Request,
    admin: Admin,
    session: Session,
    client: SalesforceClient | None,
    org: Org,
    edited: Editor | None = None,
    *,
    status_code: int = 200,
    mappings_unavailable: str | None = None,
) -> HTMLResponse:
    """The export settings; without a `client` (Salesforce out of reach, no single connection)
    the mappings are not shown, `mappings_unavailable` saying why, but for `edited`, the one
    just submitted."""
    shown = None if client is None else partial(_shown, session, client, org)
    editors = mapping_editor.page_editors(EXPORT_OBJECTS, edited, shown)
    return render(
        request,
        "export.html",
        admin,
        status_code=status_code,
        notice=take_notice(request),
        objects=EXPORT_OBJECTS,
        allowed=allowed_objects(session, org),
        editors=editors,
        can_change=admin.can_change,
        mappings_unavailable=mappings_unavailable,
    )


def _shown(session: Session, client: SalesforceClient, org: Org, sobject: str) -> Editor:
    """The mapping in use, each row that no longer verifies marked with why."""
    shown = show_export_mapping(session, client, org, sobject)
    mapping = Mapping(tuple(row.row for row in shown.rows))
    report = verify_export_mapping(session, client, org, sobject, mapping, refresh=False)
    return _editor(client, sobject, mapping, report, default=shown.default, stale=not report.ok)


def _editor(
    client: SalesforceClient,
    sobject: str,
    mapping: Mapping,
    report: VerificationReport | None = None,
    *,
    default: bool = False,
    stale: bool = False,
) -> Editor:
    describe = parse_describe(client.describe(sobject))
    return editor(
        sobject,
        mapping,
        local_choices(PROSPECT_FIELDS),
        salesforce_choices(describe),
        report=report,
        default=default,
        stale=stale,
    )
