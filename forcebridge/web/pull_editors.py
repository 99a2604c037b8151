"""The service page's pull mapping editors, built against the object's live describe: the
mapping in use (or the default), one as edited, and a first one for a custom query's object."""

from __future__ import annotations

from sqlalchemy.orm import Session

from forcebridge.mapping.describe import parse_describe
from forcebridge.mapping.model import Mapping, MappingRow
from forcebridge.mapping.query_fields import ALWAYS_SELECTED
from forcebridge.mapping.report import VerificationReport
from forcebridge.salesforce.client import SalesforceClient
from forcebridge.salesforce.errors import NotFound
from forcebridge.store.models import PullObjects, Service
from forcebridge.sync.mapping_admin import show_pull_mapping, verify_pull_mapping
from forcebridge.sync.pull_members import (
    StreamFailed,
    load_catalog,
    service_fields,
    stored_mapping,
)
from forcebridge.sync.pull_plan import PlanError, service_streams
from forcebridge.web import mapping_editor
from forcebridge.web.mapping_editor import Editor, editor, local_choices, salesforce_choices


def first_mapping(
    session: Session, client: SalesforceClient, service: Service, soql: str
) -> Editor | None:
    """When the custom query's object has no pull mapping (none saved, no default), which the
    settings need before they are saved: an editor for it, a row for each field the query
    selects, for the admin to pick the contact field each one fills."""
    try:
        streams = service_streams(PullObjects.CUSTOM, soql.strip())
    except PlanError:
        return None
    for stream in streams:
        try:
            client.describe(stream.sobject)
        except NotFound:
            return None  # no such object: the settings' problems say so
        try:
            stored_mapping(session, service, stream)
        except StreamFailed:
            always = {name.lower() for name in ALWAYS_SELECTED}
            sources = [name for name in stream.selected or () if name.lower() not in always]
            rows = tuple(MappingRow(source, "") for source in sources) or (MappingRow("", ""),)
            return pull_editor(session, client, service, stream.sobject, Mapping(rows))
    return None


def shown_editor(
    session: Session, client: SalesforceClient, service: Service, sobject: str
) -> Editor:
    """The mapping in use, each row that no longer verifies (a field deleted in Salesforce)
    marked with why: the stream fails until it is fixed."""
    shown = show_pull_mapping(session, client, service, sobject)
    mapping = Mapping(tuple(row.row for row in shown.rows))
    report = verify_pull_mapping(session, client, service, sobject, mapping, refresh=False)
    return pull_editor(
        session, client, service, sobject, mapping, report,
        default=shown.default, stale="" if report.ok else f"{sobject} fails to sync",
    )  # fmt: skip


def pull_editor(
    session: Session,
    client: SalesforceClient,
    service: Service,
    sobject: str,
    mapping: Mapping,
    report: VerificationReport | None = None,
    *,
    default: bool = False,
    stale: str = "",
) -> Editor:
    describe = parse_describe(client.describe(sobject))
    paths = [row.source for _, row in mapping.numbered() if "." in row.source]
    catalog = load_catalog(client, sobject, paths) if paths else None
    return editor(
        sobject,
        mapping,
        salesforce_choices(describe),
        local_choices(service_fields(session, service)),
        report=report,
        default=default,
        path_labels=mapping_editor.path_labels(catalog, sobject, paths) if catalog else None,
        stale=stale,
    )
