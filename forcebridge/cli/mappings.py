"""`forcebridge mapping show|set|verify`: pull mappings of a service, export mappings of an org.

    forcebridge mapping show   (--service ORG/SERVICE | --org ORG) --object OBJECT [--json]
    forcebridge mapping verify (--service ORG/SERVICE | --org ORG) --object OBJECT [--file F]
    forcebridge mapping set    (--service ORG/SERVICE | --org ORG) --object OBJECT --file F

The file is `{"rows": [{"source", "target", "update": "overwrite" | "fill_empty"}]}`, rows in
priority order, or what `mapping show --json` printed, as it is: its labels are ignored, its
`direction` and `object` must be those of the mapping it is read as. `verify` and `set` check
against the object's live describe and name every problem, the file's own (a bad update option,
a row without a target, a pull mapping read as an export one) with the others; `set` saves only
a mapping that verifies. `verify` of a service's mapping in use (no file) checks its
routing rule too, as its runs do. An org's export mapping serves all its
connections; `--org ORG --connection NAME` picks the one whose describe it is checked against
(needed when the org has several), as `forcebridge export --connection` picks where it is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from forcebridge.cli.output import JsonFlag, console, database, emit, errors, fail, wrong_options
from forcebridge.cli.pull import service_client
from forcebridge.mapping.errors import MappingError
from forcebridge.mapping.model import MappingFile, MappingOf, read_mapping_json
from forcebridge.mapping.report import Problem, ProblemCode
from forcebridge.mapping.verify import VerificationReport
from forcebridge.store.models import Org, Service
from forcebridge.store.repositories.orgs import get_org
from forcebridge.sync import mapping_admin as admin
from forcebridge.sync.connections import open_client, org_connection

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

app = typer.Typer(help="Show, verify and set field mappings.", no_args_is_help=True)

ServiceFilter = Annotated[
    str | None,
    typer.Option("--service", metavar="ORG/SERVICE", help="A service's pull mapping."),
]
OrgFilter = Annotated[str | None, typer.Option("--org", help="An org's export mapping.")]
ConnectionOption = Annotated[
    str | None,
    typer.Option(
        "--connection",
        help="With --org: the connection to check against (needed when the org has several).",
    ),
]
ObjectOption = Annotated[str, typer.Option("--object", help="The Salesforce object: Contact, ...")]
FileOption = Annotated[
    Path,
    typer.Option("--file", exists=True, dir_okay=False, readable=True, help="MAPPING.json"),
]


@dataclass(frozen=True)
class _Owner:
    """Whose mapping: a service's (pull) or an org's (export), with a client to verify it."""

    client: SalesforceClient
    service: Service | None = None
    org: Org | None = None


@contextmanager
def _owner(
    session: Session, service: str | None, org: str | None, connection: str | None
) -> Iterator[_Owner]:
    if (service is None) == (org is None):
        wrong_options("name either --service ORG/SERVICE (pull) or --org ORG (export)")
    if service is not None:
        if connection is not None:
            wrong_options(
                "--connection goes with --org: a service's mapping is checked on its connection"
            )
        with service_client(session, service) as (found, client):
            yield _Owner(client, service=found)
        return
    assert org is not None
    found_org = get_org(session, org)
    with open_client(session, org_connection(session, found_org, connection)) as client:
        yield _Owner(client, org=found_org)


def _read(file: Path, sobject: str, service: str | None) -> MappingFile:
    """The file as far as it reads, as the mapping of `sobject` a service's (pull) or an org's
    (export): its own problems are reported with verification's."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problem = Problem(None, "", ProblemCode.INVALID_FILE, f"not UTF-8 text: {error.reason}")
        return MappingFile(None, (problem,))
    return read_mapping_json(text, MappingOf("export" if service is None else "pull", sobject))


@app.command("show")
def show(
    sobject: ObjectOption,
    service: ServiceFilter = None,
    org: OrgFilter = None,
    connection: ConnectionOption = None,
    as_json: JsonFlag = False,
) -> None:
    """The mapping in use (the default one until one is set), fields with their labels."""
    with (
        database() as session,
        _owner(session, service, org, connection) as owner,
        _mapping_errors(),
    ):
        if owner.service is not None:
            shown = admin.show_pull_mapping(session, owner.client, owner.service, sobject)
        else:
            assert owner.org is not None
            shown = admin.show_export_mapping(session, owner.client, owner.org, sobject)
    document = shown.to_json()
    emit(document, as_json, lambda: _show(document))


@app.command("verify")
def verify(
    sobject: ObjectOption,
    service: ServiceFilter = None,
    org: OrgFilter = None,
    connection: ConnectionOption = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", exists=True, dir_okay=False, readable=True, help="MAPPING.json"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Check a mapping file (or the mapping in use) against the org as it is now."""
    read = _read(file, sobject, service) if file is not None else None
    with (
        database() as session,
        _owner(session, service, org, connection) as owner,
        _mapping_errors(),
    ):
        report = _checked(session, owner, sobject, read, save=False)
    _report(report, as_json)


@app.command("set")
def set_command(
    sobject: ObjectOption,
    file: FileOption,
    service: ServiceFilter = None,
    org: OrgFilter = None,
    connection: ConnectionOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Verify a mapping file and save it; a mapping with problems is refused, each named."""
    read = _read(file, sobject, service)
    with (
        database() as session,
        _owner(session, service, org, connection) as owner,
        _mapping_errors(),
    ):
        report = _checked(session, owner, sobject, read, save=True)
        if report.ok:
            session.commit()
    _report(report, as_json, saved=report.ok)


def _checked(
    session: Session, owner: _Owner, sobject: str, read: MappingFile | None, *, save: bool
) -> VerificationReport:
    """The mapping `read` from a file (None: the one in use) verified, and saved with `save`
    when it verifies; the file's own problems are reported with verification's, and a file
    with any is not saved. A file with no rows to read has nothing to verify."""
    if read is not None and read.mapping is None:
        return VerificationReport(read.problems, 0)
    mapping = read.mapping if read is not None else None
    found = read.problems if read is not None else ()
    if not save:
        if owner.service is not None:
            # The mapping in use is checked as the runs check it, the routing rule with it; a
            # file's rows are checked as `mapping set` would save them.
            report = admin.verify_pull_mapping(
                session, owner.client, owner.service, sobject, mapping, routing=mapping is None
            )
        else:
            assert owner.org is not None
            report = admin.verify_export_mapping(session, owner.client, owner.org, sobject, mapping)
        return report.joined(found)
    assert mapping is not None
    try:
        if owner.service is not None:
            return admin.save_pull_mapping(
                session, owner.client, owner.service, sobject, mapping, found
            )
        assert owner.org is not None
        return admin.save_export_mapping(session, owner.client, owner.org, sobject, mapping, found)
    except admin.MappingRefused as refused:
        return refused.report


@contextmanager
def _mapping_errors() -> Iterator[None]:
    try:
        yield
    except MappingError as error:
        fail(str(error))


def _report(report: VerificationReport, as_json: bool, *, saved: bool | None = None) -> None:
    """The verification; for `mapping set`, whether the mapping was `saved` too."""
    document = report.to_json() | ({} if saved is None else {"saved": saved})
    said = report.message + (
        " Saved." if saved else "\nNothing was saved." if saved is False else ""
    )
    emit(document, as_json, lambda: (console if report.ok else errors).print(escape(said)))
    if not report.ok:
        if as_json:  # the document is the report; stderr says what is wrong, as for people
            errors.print(escape(said))
        raise typer.Exit(1)


def _show(document: dict[str, Any]) -> None:
    default = " (default)" if document["default"] else ""
    title = f"{document['direction']} mapping of {document['object']}{default}"
    table = Table("#", "Source", "Target", "Update", title=title)
    pull = document["direction"] == "pull"
    for number, row in enumerate(document["rows"], start=1):
        source = row["salesforce_label"] if pull else row["source"]
        target = row["target"] if pull else row["salesforce_label"]
        table.add_row(str(number), escape(source), escape(target), row["update"])
    console.print(table)
