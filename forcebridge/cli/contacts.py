"""`forcebridge contacts list|import`: a service's contact book.

    forcebridge contacts list --service ORG/SERVICE [--limit N] [--after ID] [--json]
    forcebridge contacts import --service ORG/SERVICE FILE.csv --source NAME [--json]

`import` reads contacts that come from another system: the columns are contact field names
(and the service's custom fields), plus an optional `external_id`, read as `export` reads its
file (`E-Mail` is `email`; a column named twice refuses the file). Rows are matched like pulled
records (their link, else phone, else email), so nothing is duplicated, and only empty fields
are filled. A value a field cannot hold (an email that is not one) is left out of its row and
the rest imported: each such value is said on stderr by row and field (and is in the JSON
document's `warnings`), as `export` and `messages import` name theirs. A row not imported at
all (nothing identifies its person, it is not valid CSV) is said the same way, by row and why
(the JSON document's `failures`), and the command exits with status 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from forcebridge.cli.output import (
    JsonFlag,
    ServiceOption,
    console,
    database,
    emit,
    errors,
    fail,
    input_file,
    print_listed,
)
from forcebridge.store.models import RunStatus, Service
from forcebridge.store.repositories.contacts import list_contacts
from forcebridge.store.repositories.services import get_service
from forcebridge.sync.documents import contact_document

if TYPE_CHECKING:
    from forcebridge.sync.contact_import import RowNote
    from forcebridge.sync.pull import PullResult

app = typer.Typer(help="List and import a service's contacts.", no_args_is_help=True)


PAGE = 1000
"""Contacts read at a time: a book of millions is listed with the memory of one page."""

SHOWN_NOTES = 50
"""Failed rows, and warnings, said on stderr (of each); `--json` and `runs show` have them
all."""


@app.command("list")
def list_command(
    service: ServiceOption,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="Show at most N contacts (default: every one)."),
    ] = None,
    after: Annotated[
        int, typer.Option("--after", min=0, help="Start after the contact of this id.")
    ] = 0,
    as_json: JsonFlag = False,
) -> None:
    """The service's contacts, oldest first, each with the records (in Salesforce and other
    systems) linked to it."""
    with database() as session:
        found = get_service(session, service)
        listing = _Listing(session, found, after, limit)
        if not as_json:
            for documents in listing.pages():
                console.print(_table(documents))
            console.print(f"{listing.shown:,} contacts")
            if (next_after := listing.next_after()) is not None:
                console.print(f"[dim]The next ones: --after {next_after}[/dim]")
            return
        print_listed(
            "contacts",
            (document for documents in listing.pages() for document in documents),
            lambda: {"next_after": listing.next_after()},
        )


class _Listing:
    """The contacts after id `after`, at most `limit`, a page at a time; then where the next
    ones start (`next_after`, as the REST API's contact pages say it)."""

    def __init__(self, session: Session, service: Service, after: int, limit: int | None) -> None:
        self._session, self._service = session, service
        self._after, self._limit = after, limit
        self.shown = 0

    def pages(self) -> Iterator[list[dict[str, Any]]]:
        left = self._limit
        while left != 0 and (
            page := list_contacts(
                self._session, self._service, after=self._after, limit=min(PAGE, left or PAGE)
            )
        ):
            yield [contact_document(contact) for contact in page]
            self._after = page[-1].id
            self.shown += len(page)
            left = None if left is None else left - len(page)
            self._session.expunge_all()

    def next_after(self) -> int | None:
        """The id the next ones start after, or None when every contact was listed."""
        if self.shown != self._limit:
            return None
        more = list_contacts(self._session, self._service, after=self._after, limit=1)
        return self._after if more else None


@app.command("import")
def import_command(
    service: ServiceOption,
    file: Annotated[Path, input_file("FILE.csv", "CSV with a header row.")],
    source: Annotated[
        str, typer.Option("--source", help="The system the contacts come from, e.g. crm.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Import contacts from another system; matched, never duplicated."""
    # A run of the pull's own machinery (its records, matching and settling), which `list`
    # needs none of: the Salesforce client and the SOQL parser come with it.
    from forcebridge.cli.pull import show_result
    from forcebridge.sync.contact_import import ImportRefused, import_contacts

    with database() as session:
        try:
            imported = import_contacts(session, get_service(session, service), file, source)
        except ImportRefused as refused:
            fail(str(refused))
    result = imported.result
    emit(
        result.to_json()
        | {
            "warnings": [warning.to_json() for warning in imported.warnings],
            "failures": [failure.to_json() for failure in imported.failures],
        },
        as_json,
        lambda: show_result(result, f"Imported {file.name}"),
        stopped=result.error,
    )
    _say_rows(imported.failures, "[red]Failed:[/red]", "failed rows", result.run_id)
    _say_rows(imported.warnings, "[yellow]Warning:[/yellow]", "warnings", result.run_id)
    _exit_unless_succeeded(result)


def _table(documents: list[dict[str, Any]]) -> Table:
    table = Table("Id", "Name", "Email", "Phone", "Mobile", "Linked to", "Deleted in source")
    for d in documents:
        name = " ".join(part for part in (d["first_name"], d["last_name"]) if part)
        linked = ", ".join(f"{i['source']} {i['external_id']}" for i in d["identities"])
        table.add_row(
            str(d["id"]),
            escape(name),
            escape(d["email"] or ""),
            escape(d["phone"] or ""),
            escape(d["mobile_phone"] or ""),
            escape(linked),
            "yes" if d["deleted_in_source"] else "",
        )
    return table


def _say_rows(notes: list[RowNote], label: str, noun: str, run_id: int) -> None:
    """Each row failed, or value left out or cut short, by row (and field), on stderr under
    `label` (under `--json` too): a contact missing its email, or a row never imported, would
    otherwise go unnoticed."""
    for note in notes[:SHOWN_NOTES]:
        errors.print(f"{label} {escape(note.said())}", soft_wrap=True)
    if len(notes) > SHOWN_NOTES:
        errors.print(
            f"... and {len(notes) - SHOWN_NOTES:,} more {noun}: see them all with "
            f"forcebridge runs show {run_id} --log-limit 0 (or --json)",
            soft_wrap=True,
        )


def _exit_unless_succeeded(result: PullResult) -> None:
    """A run that did not wholly succeed says on stderr (under `--json` too) how many rows
    failed and where their errors are, as `export` does; exit status 1."""
    if result.status is RunStatus.SUCCEEDED:
        return
    if result.failed:
        rows = "row" if result.failed == 1 else "rows"
        errors.print(
            f"{result.failed:,} {rows} failed: see why with forcebridge runs show {result.run_id}",
            soft_wrap=True,
        )
    raise typer.Exit(1)
