"""`forcebridge runs list|show`: what pulls, exports and activity pushes did, record by record.

forcebridge runs list (--org ORG | --service ORG/SERVICE) [--limit N] [--json]
forcebridge runs show RUN_ID [--json]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Column, Table

from forcebridge.cli.output import (
    JsonFlag,
    console,
    database,
    emit,
    service_path,
    wrong_options,
)
from forcebridge.jobs.execute import settle_dead_holders
from forcebridge.store.models import RunLogEntry, RunStatus
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.runs import first_errors, get_run, runs_page
from forcebridge.store.repositories.services import get_service
from forcebridge.sync.documents import RUN_COUNTS, run_document, run_with_log_document
from forcebridge.wording import plural, shortened

app = typer.Typer(help="List runs and show one with its log.", no_args_is_help=True)


@app.command("list")
def list_command(
    org: Annotated[str | None, typer.Option("--org", help="The org's runs.")] = None,
    service: Annotated[
        str | None,
        typer.Option(
            "--service",
            metavar="ORG/SERVICE",
            help="Only this service's runs.",
            callback=service_path,
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 50,
    before: Annotated[
        int | None,
        typer.Option(
            min=1, metavar="RUN_ID", help="Only runs older than this one: a `next_before`."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """The latest runs, newest first: of every org, of one (`--org`), or of a service;
    `next_before` (null on the last page) is the `--before` of the page after."""
    if org is not None and service is not None:
        wrong_options("name either --org ORG or --service ORG/SERVICE, not both")
    with database() as session:
        settle_dead_holders(session.get_bind().engine)  # a killed run reads failed, not running
        older_than = None if before is None else get_run(session, before)
        found = None if service is None else get_service(session, service)
        owner = found.org if found is not None else get_org(session, org) if org else None
        owner_id = None if owner is None else owner.id
        page = runs_page(session, owner_id, service=found, limit=limit, before=older_than)
        documents = [run_document(run) for run in page.runs]
        partial = [run.id for run in page.runs if run.status is RunStatus.PARTIAL]
        first = {run: _entry(entry) for run, entry in first_errors(session, partial).items()}
    reasons = {d["run_id"]: _why(d, first.get(d["run_id"])) for d in documents}
    emit(
        {"runs": documents, "next_before": page.older},
        as_json,
        lambda: _print_runs(documents, reasons),
    )


@app.command("show")
def show(
    run_id: Annotated[
        int, typer.Argument(metavar="RUN_ID", help="The run's id, as `runs list` shows it.")
    ],
    log_limit: Annotated[
        int,
        typer.Option(
            min=0,
            help="Log entries shown (0: every one); --json gives them all whatever this says.",
        ),
    ] = 50,
    as_json: JsonFlag = False,
) -> None:
    """One run: its counts, API calls, duration and a log entry per record it could not take."""
    with database() as session:
        settle_dead_holders(session.get_bind().engine)
        document = run_with_log_document(get_run(session, run_id))
    emit(document, as_json, lambda: _show(document, log_limit or None))


def _print_runs(
    documents: list[dict[str, Any]], reasons: Mapping[int, str | None] | None = None
) -> None:
    """Two lines a run, readable at any width (a pipe's 80 columns too): what ran, how it
    ended, when and for how long; then its counts that are not zero; and for a run that failed
    or ended partial, a third: why, from its `reasons`."""
    for d in documents:
        status = d["status"] + (" (dry run)" if d["dry_run"] else "")
        started = (d["started_at"] or "")[:19].replace("T", " ")
        console.print(
            f"[bold]{d['run_id']}[/bold]  {escape(d['service'] or d['org'])} "
            f"{escape(d['stream'])}  {status}  {started} UTC  {_took(d['duration_seconds'])}  "
            f"{plural(d['api_calls'], 'API call')}",
            soft_wrap=True,
        )
        counts = ", ".join(f"{d[c]:,} {c}" for c in RUN_COUNTS[:-1] if d[c]) or "nothing read"
        console.print(f"    {counts}", soft_wrap=True)
        if why := (reasons or {}).get(d["run_id"]):
            console.print(f"    [red]why:[/red] {escape(why)}", soft_wrap=True)


def _why(document: Mapping[str, Any], first_error: str | None) -> str | None:
    """Why a run failed (its error) or ended partial (how many records failed, and the first
    one's error), shortened to a line; with where to read it whole when it was cut, or when
    there are more records' errors than the first."""
    if document["status"] == RunStatus.FAILED and document["error"]:
        reason = document["error"]
    elif document["status"] in (RunStatus.FAILED, RunStatus.PARTIAL):
        failed = f"{plural(document['failed'], 'record')} failed"
        reason = f"{failed}; the first: {first_error}" if first_error else failed
    else:
        return None
    short = shortened(reason)
    if short == reason and document["status"] == RunStatus.FAILED:
        return short
    return f"{short} (see forcebridge runs show {document['run_id']})"


def _entry(entry: RunLogEntry) -> str:
    """A log entry on one line, with its record and field unless its message names them."""
    record = entry.record_ref or entry.salesforce_id
    if record and entry.message.startswith(record):
        return entry.message
    named = ", ".join(part for part in (record, entry.field) if part)
    return f"{named}: {entry.message}" if named else entry.message


def _took(seconds: float | None) -> str:
    if seconds is None:
        return "running"
    if seconds < 90:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.0f} min"


def _show(document: dict[str, Any], log_limit: int | None) -> None:
    """The run, and its first `log_limit` log entries (None: every one); the others counted
    by code, as a run of thousands of records can log thousands."""
    _print_runs([document])
    if document["error"]:
        console.print(f"[red]Error:[/red] {escape(document['error'])}", soft_wrap=True)
    entries = document["log"]
    shown = entries if log_limit is None else entries[:log_limit]
    rest = entries[len(shown) :]
    if shown:
        record = Column("Record", no_wrap=True, min_width=18)  # an Id is read whole
        log = Table("Level", Column("Code", overflow="fold"), record, "Field", "Message")
        for entry in shown:
            log.add_row(
                entry["level"],
                escape(entry["code"] or ""),
                escape(entry["salesforce_id"] or entry["record_ref"] or ""),
                escape(entry["field"] or ""),
                escape(entry["message"]),
            )
        console.print(log)
    if rest:
        codes = Counter(entry["code"] or "other" for entry in rest)
        counted = ", ".join(f"{code}: {count:,}" for code, count in codes.most_common())
        console.print(
            f"... and {len(rest):,} more ({escape(counted)}): "
            "--log-limit 0 shows every one, --json gives them all.",
            soft_wrap=True,
        )
