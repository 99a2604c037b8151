"""`forcebridge messages import`: record a service's conversations from a file.

    forcebridge messages import --service ORG/SERVICE FILE [--json]

The file is CSV with a header row or JSON lines; see `forcebridge.sync.message_import`. Rows
with a problem are listed by line and field and the rest imported; the command exits 0 only
when every row was. Importing the same file again imports nothing twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from forcebridge.cli.output import JsonFlag, console, database, emit, errors, fail, input_file
from forcebridge.store.repositories.services import get_service
from forcebridge.sync.message_import import ImportReport, import_messages
from forcebridge.sync.message_rows import UnreadableFile

#: Rows of problems shown to people; `--json` has them all.
SHOWN_PROBLEMS = 50

app = typer.Typer(help="Record the conversations the product had.", no_args_is_help=True)


@app.command("import")
def import_command(
    service: Annotated[
        str, typer.Option("--service", metavar="ORG/SERVICE", help="Whose contacts they are.")
    ],
    file: Annotated[Path, input_file("FILE", "CSV (with a header) or JSON lines.")],
    as_json: JsonFlag = False,
) -> None:
    """Import messages: the contact by contact_id, phone or email; direction; channel; author;
    body; sent_at (ISO 8601 with offset); optionally external_id."""
    with database() as session:
        found = get_service(session, service)
        try:
            report = import_messages(session, found, file)
        except UnreadableFile as error:
            fail(str(error))
    emit({"service": service, **report.to_dict()}, as_json, lambda: _show(service, report))
    if report.rejected:
        if as_json:  # the document is the report; stderr says what went wrong
            errors.print(f"{report.rejected:,} rejected (their lines and fields are in `errors`)")
        raise typer.Exit(1)


def _show(service: str, report: ImportReport) -> None:
    console.print(
        f"Read {report.read:,} messages for [bold]{escape(service)}[/bold]: "
        f"{report.imported:,} imported, {report.duplicates:,} already there, "
        f"{report.rejected:,} rejected."
    )
    if report.problems:
        table = Table("Line", "Field", "Problem", title="Rejected")
        for problem in report.problems[:SHOWN_PROBLEMS]:
            table.add_row(str(problem.line), escape(problem.field or ""), escape(problem.message))
        console.print(table)
        if len(report.problems) > SHOWN_PROBLEMS:
            console.print(f"... and {len(report.problems) - SHOWN_PROBLEMS:,} more (see --json)")
    if report.notices:
        table = Table("Line", "Note", title="Imported, with a note")
        for notice in report.notices[:SHOWN_PROBLEMS]:
            table.add_row(str(notice.line), escape(notice.message))
        console.print(table)
