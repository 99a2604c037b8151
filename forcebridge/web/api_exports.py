"""The REST API's export: the product sends a rep's chosen prospects to the org's Salesforce in
one request, as Leads or as Contacts with their Accounts, and hears what became of each.

It is `forcebridge export` with the prospects in the body instead of a CSV file: each is read
as a CSV row is (`sync.prospect_records`), exported by the same engine call
(`sync.export.export_rows`) under the org's export lease, and the answer is the document
`export --json` prints. The export is blocking I/O, so the route is a plain function, which
FastAPI runs in its thread pool; that thread runs the export to its end even when the client
has gone (a thread is not cancelled, and the request's task waits for it), so the lease is
released and the run ended as for any export.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field
from sqlalchemy.orm import Session

from forcebridge.store.models import Connection, Org
from forcebridge.store.repositories.connections import list_connections
from forcebridge.sync.connection_choice import choose_connection
from forcebridge.sync.connection_errors import SeveralConnections, UnknownConnection
from forcebridge.sync.connections import open_client
from forcebridge.sync.export import export_rows
from forcebridge.sync.export_errors import ExportRunning, MappingNotValid, ObjectNotAllowed
from forcebridge.sync.prospect_records import read_prospect_records
from forcebridge.web.api_bodies import RequestBody, Utf8JsonRoute
from forcebridge.web.api_caller import ChangingCaller
from forcebridge.web.api_documents import ExportDocument, ExportRefusal
from forcebridge.web.api_errors import (
    ExportConflict,
    ExportNotAllowed,
    InvalidRequest,
    refusals,
)
from forcebridge.web.dependencies import Database
from forcebridge.web.salesforce_access import SalesforceUnavailable, reaching_salesforce
from forcebridge.wording import listed, sentence

MAX_PROSPECTS = 10_000
"""Prospects a request may carry (about a hundred calls to Salesforce, a few seconds): more go
in further requests, which update what an earlier one made rather than make it twice."""

EXPORTED = (
    "The run, as `forcebridge export --json` prints it, whether every prospect was exported "
    "or not (`status`; `failed` counts the prospects refused, each with its errors)"
)
REFUSED_OBJECT = (
    "A session's request without its `X-CSRF-Token` (`csrf_rejected`), a viewer's "
    "(`forbidden`), or an object the org's export preferences do not allow "
    "(`export_not_allowed`)"
)
CONFLICT = (
    "Another export of the org is running (`export_running`, `run_id` its run); a mapping "
    "that no longer verifies against Salesforce (`mapping_invalid`, every problem listed; "
    "found once this export's run had started, `run_id` that run, ended `failed`); or "
    "Salesforce cannot be used: no connection, disconnected, out of reach "
    "(`salesforce_unavailable`). Nothing was exported"
)

router = APIRouter(route_class=Utf8JsonRoute)


class NewExport(RequestBody):
    """Prospects to export, with the fields of `forcebridge export`'s CSV columns."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    object: Literal["Lead", "Contact"]
    """Export as Leads, or as Contacts with their Accounts."""
    prospects: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_PROSPECTS)
    """Each with prospect fields as keys (`first_name`, `email`, `company_website`...)."""
    dry_run: bool = False
    """Say what would be written, and write nothing: `true` or `false` (`RequestBody`)."""
    connection: str | None = None
    """The org's Salesforce connection to export to, by name: needed when it has several."""


@router.post(
    "/exports",
    response_model=None,
    responses={
        200: {"model": ExportDocument, "description": EXPORTED},
        **refusals(403, 413, 415, 422, own={403: REFUSED_OBJECT}),
        409: {"model": ExportRefusal, "description": CONFLICT},
    },
)
def post_export(
    body: NewExport, caller: ChangingCaller, session: Database
) -> dict[str, Any] | JSONResponse:
    """Export the prospects, one result each in the order sent (`row` counting from 1): a
    prospect with a problem fails alone, naming its field, and the others are exported.
    Exporting them again updates what the first export made, never makes it twice."""
    rows = read_prospect_records(body.prospects)
    org = session.get_one(Org, caller.org_id)
    started: list[int] = []
    named: int | None = None
    try:
        connection = _connection(session, org, body.connection)
        session.commit()  # nothing pending: the lease is taken on a connection of its own
        with reaching_salesforce(connection), open_client(session, connection) as client:
            try:
                report = export_rows(
                    session,
                    client,
                    org,
                    body.object,
                    rows,
                    connection_id=connection.id,
                    dry_run=body.dry_run,
                    run_started=started.append,
                )
            except ObjectNotAllowed as refused:
                raise ExportNotAllowed(sentence(str(refused))) from None
            except ExportRunning as running:
                named = running.run_id
                raise ExportConflict("export_running", sentence(str(running))) from None
            except MappingNotValid as invalid:
                raise ExportConflict("mapping_invalid", sentence(str(invalid))) from None
    except (ExportConflict, SalesforceUnavailable) as conflict:  # every 409 it answers
        return _naming_the_run(conflict, started[0] if started else named)
    return report.to_json()


def _naming_the_run(
    conflict: ExportConflict | SalesforceUnavailable, run_id: int | None
) -> JSONResponse:
    """A 409 as every refusal is answered, with the run it names (`ExportRefusal`): this
    export's own once it has started, as `export --json` names the run a refusal ended."""
    document = {"error": conflict.code, "message": conflict.message, "run_id": run_id}
    return JSONResponse(document, status_code=conflict.status)


def _connection(session: Session, org: Org, name: str | None) -> Connection:
    """The connection the export goes to (`choose_connection`), the refusals worded for the
    API, whose `connection` field names it."""
    try:
        connection = choose_connection(org.name, list_connections(session, org), name)
    except UnknownConnection as unknown:
        has = f"its connections are {listed(unknown.names)}" if unknown.names else "it has none"
        raise InvalidRequest(
            f"The request could not be taken: connection: your organisation has no Salesforce "
            f"connection {name!r} ({has})."
        ) from None
    except SeveralConnections as several:
        raise InvalidRequest(
            f"The request could not be taken: connection: your organisation has "
            f"{len(several.names)} Salesforce connections ({listed(several.names)}): "
            "name the one to export to."
        ) from None
    if connection is None:
        raise SalesforceUnavailable(
            "Your organisation has no Salesforce connection: an admin connects one first "
            "(the Connections page, or forcebridge connect)."
        )
    return connection
