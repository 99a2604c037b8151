"""The export settings page: which objects an org's users may export to, and each object's
mapping, edited and "Verify and Save"d against the live describe of the org's connection (the
one the admin chooses, `?connection=NAME`, when the org has several)."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from forcebridge.mapping.describe import parse_describe
from forcebridge.mapping.model import Mapping, UpdateOption
from forcebridge.mapping.prospect_fields import PROSPECT_FIELDS
from forcebridge.mapping.report import VerificationReport
from forcebridge.salesforce.client import SalesforceClient
from forcebridge.store.models import Org
from forcebridge.store.repositories.connections import list_connections
from forcebridge.store.repositories.export_preferences import (
    allow_objects,
    allowed_objects,
    disallow_objects,
)
from forcebridge.store.repositories.orgs import get_org
from forcebridge.sync.export_model import ExportObject
from forcebridge.sync.mapping_admin import (
    MappingRefused,
    save_export_mapping,
    show_export_mapping,
    verify_export_mapping,
)
from forcebridge.web import mapping_editor
from forcebridge.web.dependencies import Admin, ChangingAdmin, CurrentAdmin, Database
from forcebridge.web.errors import PageNotFound, WebError
from forcebridge.web.mapping_editor import Editor, editor, local_choices, writable_choices
from forcebridge.web.pages import notify_at, render, take_notice
from forcebridge.web.salesforce_access import SalesforceUnavailable, org_client

PAGE = "/export"
EXPORT_OBJECTS = ("Lead", "Contact", "Account")
OBJECTS_SECTION = "objects"

router = APIRouter()

ChosenConnection = Annotated[str, Query(alias="connection", max_length=200)]
"""The connection the mappings are checked against, by name; empty: the org's only one."""


def keeping(connection: str) -> str:
    """The query string keeping the connection chosen, for each of the page's addresses."""
    return f"?{urlencode({'connection': connection})}" if connection else ""


@router.get(PAGE, response_class=HTMLResponse)
def export_page(
    request: Request, admin: CurrentAdmin, session: Database, connection: ChosenConnection = ""
) -> Response:
    org = get_org(session, admin.org_name)
    try:
        with org_client(session, org, connection) as client:
            return _page(request, admin, session, client, org, connection)
    except SalesforceUnavailable as unavailable:
        # Which objects may be exported needs no Salesforce: shown, with why mappings are not.
        return _page(
            request, admin, session, None, org, connection,
            mappings_unavailable=unavailable.message,
        )  # fmt: skip


@router.post(PAGE + "/objects")
def save_allowed_objects(
    request: Request,
    admin: ChangingAdmin,
    session: Database,
    objects: Annotated[list[str] | None, Form()] = None,
    connection: ChosenConnection = "",
) -> RedirectResponse:
    org = get_org(session, admin.org_name)
    unknown = sorted(set(objects or []) - set(EXPORT_OBJECTS))
    if unknown:
        raise WebError(f"Users can only export to {', '.join(EXPORT_OBJECTS)}, not {unknown[0]}.")
    chosen = [name for name in EXPORT_OBJECTS if name in (objects or [])]
    disallow_objects(session, org, [name for name in EXPORT_OBJECTS if name not in chosen])
    allowed = allow_objects(session, org, chosen)
    session.commit()
    notice = f"Users may export to: {', '.join(allowed) or 'nothing'}."
    return notify_at(request, PAGE + keeping(connection), notice, OBJECTS_SECTION)


@router.post(
    PAGE + "/mappings/{sobject}",
    response_class=HTMLResponse,
    form_limits={"max_fields": mapping_editor.MAX_FIELDS},
)
def edit_export_mapping(
    request: Request,
    sobject: str,
    admin: ChangingAdmin,
    session: Database,
    posted: mapping_editor.Submitted,
    connection: ChosenConnection = "",
) -> Response:
    """Verify and Save, or add / remove a row; what is not saved comes back as edited."""
    if sobject not in EXPORT_OBJECTS:
        raise PageNotFound("export object")
    org = get_org(session, admin.org_name)
    mapping, edited = posted.mapping, posted.edited(UpdateOption.FILL_EMPTY)
    try:
        with org_client(session, org, connection) as client:
            if not posted.saving:
                shown = _editor(client, sobject, edited)
                return _page(request, admin, session, client, org, connection, shown)
            try:
                report = save_export_mapping(
                    session, client, org, sobject, mapping, posted.problems
                )
            except MappingRefused as refused:
                shown = _editor(client, sobject, mapping, refused.report)
                return _page(
                    request, admin, session, client, org, connection, shown, status_code=400
                )
    except SalesforceUnavailable as unavailable:
        kept = mapping_editor.unchecked(sobject, edited, unavailable.message)
        return _page(
            request, admin, session, None, org, connection, kept,
            status_code=unavailable.status, mappings_unavailable=unavailable.message,
        )  # fmt: skip
    session.commit()
    notice = f"{sobject} export mapping saved. {report.message}"
    return notify_at(request, PAGE + keeping(connection), notice, f"mapping-{sobject}")


def _page(
    request: Request,
    admin: Admin,
    session: Session,
    client: SalesforceClient | None,
    org: Org,
    connection: str,
    edited: Editor | None = None,
    *,
    status_code: int = 200,
    mappings_unavailable: str | None = None,
) -> HTMLResponse:
    """The export settings; without a `client` (Salesforce out of reach, no connection chosen)
    the mappings are not shown, `mappings_unavailable` saying why, but for `edited`, the one
    just submitted. `connection`: the one chosen, which every form of the page keeps."""
    shown = None if client is None else partial(_shown, session, client, org)
    editors = mapping_editor.page_editors(EXPORT_OBJECTS, edited, shown)
    return render(
        request,
        "export.html",
        admin,
        status_code=status_code,
        notice=take_notice(request, [OBJECTS_SECTION, *(e.anchor for e in editors)]),
        objects=EXPORT_OBJECTS,
        allowed=allowed_objects(session, org),
        editors=editors,
        query=keeping(connection),
        connections=[c.name for c in list_connections(session, org)],
        connection=connection,
        can_change=admin.can_change,
        mappings_unavailable=mappings_unavailable,
    )


def _shown(session: Session, client: SalesforceClient, org: Org, sobject: str) -> Editor:
    """The mapping in use, each row that no longer verifies marked with why."""
    shown = show_export_mapping(session, client, org, sobject)
    mapping = Mapping(tuple(row.row for row in shown.rows))
    report = verify_export_mapping(session, client, org, sobject, mapping, refresh=False)
    stale = "" if report.ok else _refused_until_fixed(sobject)
    return _editor(client, sobject, mapping, report, default=shown.default, stale=stale)


def _refused_until_fixed(sobject: str) -> str:
    """What a mapping that no longer verifies stops: every export it takes part in is refused
    (a Contact export verifies the Account mapping too, whether or not it may make Accounts)."""
    exports = ExportObject.CONTACT if sobject == ExportObject.ACCOUNT else sobject
    return f"{exports} exports are refused"


def _editor(
    client: SalesforceClient,
    sobject: str,
    mapping: Mapping,
    report: VerificationReport | None = None,
    *,
    default: bool = False,
    stale: str = "",
) -> Editor:
    """The targets offered are the fields an export can write: Verify refuses the others."""
    describe = parse_describe(client.describe(sobject))
    return editor(
        sobject,
        mapping,
        local_choices(PROSPECT_FIELDS),
        writable_choices(describe, PROSPECT_FIELDS),
        report=report,
        default=default,
        stale=stale,
    )
