"""`forcebridge runs list|show`: what pulls, exports and activity pushes did, record by record.

forcebridge runs list (--org ORG | --service ORG/SERVICE) [--limit N] [--json]
forcebridge runs show RUN_ID [--json]
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from forcebridge.cli.output import JsonFlag, console, database, emit, fail, timestamp
from forcebridge.store.models import Run
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.runs import get_run, list_runs
from forcebridge.store.repositories.services import get_service

app = typer.Typer(help="List runs and show one with its log.", no_args_is_help=True)

COUNTS = ("read", "created", "updated", "unchanged", "skipped", "failed", "api_calls")


def run_document(run: Run) -> dict[str, Any]:
    duration = (
        (run.finished_at - run.started_at).total_seconds() if run.finished_at is not None else None
    )
    return {
        "run_id": run.id,
        "org": run.org.name,
        "service": run.service.name if run.service is not None else None,
        "stream": run.stream,
        "status": run.status.value,
        "dry_run": run.dry_run,
        "started_at": timestamp(run.started_at),
        "finished_at": timestamp(run.finished_at),
        "duration_seconds": duration,
        **{key: getattr(run, key) for key in COUNTS},
        "error": run.error,
    }


@app.command("list")
def list_command(
    org: Annotated[str | None, typer.Option("--org", help="The org's runs.")] = None,
    service: Annotated[
        str | None,
        typer.Option("--service", metavar="ORG/SERVICE", help="Only this service's runs."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """The latest runs, newest first: of every org, of one (`--org`), or of a service."""
    if org is not None and service is not None:
        fail("name either --org ORG or --service ORG/SERVICE, not both")
    with database() as session:
        if service is not None:
            found = get_service(session, service)
            runs = list_runs(session, found.org, service=found, limit=limit)
        else:
            runs = list_runs(session, get_org(session, org) if org else None, limit=limit)
        documents = [run_document(run) for run in runs]
    emit({"runs": documents}, as_json, lambda: console.print(_table(documents)))


@app.command("show")
def show(
    run_id: Annotated[
        int, typer.Argument(metavar="RUN_ID", help="The run's id, as `runs list` shows it.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """One run: its counts, API calls, duration and a log entry per record it could not take."""
    with database() as session:
        run = get_run(session, run_id)
        document = run_document(run)
        document["log"] = [
            {
                "level": entry.level.value,
                "code": entry.code,
                "salesforce_id": entry.salesforce_id,
                "record_ref": entry.record_ref,
                "field": entry.field,
                "message": entry.message,
            }
            for entry in run.log_entries
        ]
    emit(document, as_json, lambda: _show(document))


def _table(documents: list[dict[str, Any]]) -> Table:
    table = Table(
        "Run", "Service", "Stream", "Status", "Started", *(c.replace("_", " ") for c in COUNTS)
    )
    for d in documents:
        table.add_row(
            str(d["run_id"]),
            escape(d["service"] or "-"),
            escape(d["stream"]),
            d["status"] + (" (dry run)" if d["dry_run"] else ""),
            d["started_at"] or "",
            *(f"{d[c]:,}" for c in COUNTS),
        )
    return table


def _show(document: dict[str, Any]) -> None:
    console.print(_table([document]))
    if document["error"]:
        console.print(f"[red]Error:[/red] {escape(document['error'])}", soft_wrap=True)
    if document["log"]:
        log = Table("Level", "Code", "Record", "Field", "Message")
        for entry in document["log"]:
            log.add_row(
                entry["level"],
                escape(entry["code"] or ""),
                escape(entry["salesforce_id"] or entry["record_ref"] or ""),
                escape(entry["field"] or ""),
                escape(entry["message"]),
            )
        console.print(log)
