"""`forcebridge export`: send a CSV file of prospects to Salesforce, and say what may be sent.

    forcebridge export --org ORG --object Lead|Contact FILE.csv [--dry-run] [--json]
    forcebridge export allow --org ORG OBJECT...
    forcebridge export disallow --org ORG OBJECT...
    forcebridge export allowed --org ORG

The export reports one result per CSV row; it exits 0 only when every row was exported.
Ctrl+C or SIGTERM stops it once the write in flight has returned (its Ids kept, so exporting
the file again finishes the job without making anything twice): the run ends failed, and
`--json` prints `{"run_id": ..., "status": "failed", "error": "stopped (SIGTERM); ..."}`
(`"interrupted (Ctrl+C); ..."`); a refusal once the run has started (a mapped field Salesforce
refused, the mapping verified again) names the run the same way. Only `{"error": ...}` when no
run had started yet. An org runs one export at a time: a second is refused at once (exit status
1), naming the run going on, and writes nothing (`sync.export_lease`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    Progress,
    TaskID,
)
from rich.table import Table

from forcebridge.cli.output import (
    JsonFlag,
    console,
    database,
    emit,
    errors,
    fail_run,
    input_file,
    naming_the_stopped_run,
    progress_bar,
)
from forcebridge.store.models import RunStatus
from forcebridge.store.repositories.export_preferences import (
    allow_objects,
    allowed_objects,
    disallow_objects,
)
from forcebridge.store.repositories.orgs import get_org
from forcebridge.sync.connections import open_client, org_connection
from forcebridge.sync.documents import EXPORT_COUNTS, recorded_counts
from forcebridge.sync.export import PERSON_OBJECTS, export_file
from forcebridge.sync.export_errors import ExportError
from forcebridge.sync.export_model import Action, ExportObject
from forcebridge.sync.export_results import ExportReport

#: Rows of problems shown to people; `--json` has them all.
SHOWN_PROBLEMS = 50

AGAIN = "exporting the file again finishes the export without making any record twice"
"""What to do about an export Ctrl+C or SIGTERM stopped: what it wrote is kept with its Ids."""


class _ExportGroup(typer.core.TyperGroup):
    """`forcebridge export FILE ...` runs the export itself; `allow`/`disallow`/`allowed` are
    commands.

    `forcebridge export --help` (or no arguments) shows the export's own options, which name
    the other commands too: that is what people reaching for help want to run."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if not args or args[0] not in self.commands:
            args = ["run", *(args or ["--help"])]
        return super().parse_args(ctx, args)


class _ExportRun(typer.core.TyperCommand):
    """The export itself, whose usage reads as it is typed: `export [OPTIONS] FILE.csv`, not
    the hidden `export run` it is routed to."""

    def format_usage(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        path = ctx.parent.command_path if ctx.parent is not None else ctx.command_path
        formatter.write_usage(path, " ".join(self.collect_usage_pieces(ctx)))


app = typer.Typer(
    cls=_ExportGroup,
    help="Export prospects to Salesforce as Leads or Contacts, and choose what an org may"
    " export to.",
)

OrgOption = Annotated[str, typer.Option("--org", help="The org whose Salesforce it goes to.")]


def _canonical(name: str, choices: Sequence[str]) -> str:
    """`lead` as `Lead`: object names are typed in any case. Called as the option's or the
    argument's callback, so that Click's refusal names it (`Invalid value for '--object'`)."""
    for choice in choices:
        if choice.lower() == name.lower():
            return choice
    raise typer.BadParameter(f"{name!r} is not one of {', '.join(choices)}")


def _export_objects(names: list[str]) -> list[str]:
    return [_canonical(name, list(ExportObject)) for name in names]


def _person_object(name: str) -> str:
    return _canonical(name, PERSON_OBJECTS)


ObjectsArgument = Annotated[
    list[str],
    typer.Argument(
        metavar="OBJECT", help="Lead, Contact and/or Account.", callback=_export_objects
    ),
]


@app.command("allow")
def allow(org: OrgOption, objects: ObjectsArgument, as_json: JsonFlag = False) -> None:
    """Let the org's users export to these objects (Account: create and update Accounts)."""
    with database() as session:
        allowed = allow_objects(session, get_org(session, org), objects)
        session.commit()
    _show_allowed(org, allowed, as_json)


@app.command("disallow")
def disallow(org: OrgOption, objects: ObjectsArgument, as_json: JsonFlag = False) -> None:
    """Stop the org's users exporting to these objects."""
    with database() as session:
        allowed = disallow_objects(session, get_org(session, org), objects)
        session.commit()
    _show_allowed(org, allowed, as_json)


@app.command("allowed")
def allowed(org: OrgOption, as_json: JsonFlag = False) -> None:
    """Show which objects the org's users may export to, changing nothing."""
    with database() as session:
        objects = allowed_objects(session, get_org(session, org))
    _show_allowed(org, objects, as_json)


def _show_allowed(org: str, allowed: list[str], as_json: bool) -> None:
    listed = ", ".join(allowed) if allowed else "nothing"
    emit(
        {"org": org, "allowed": allowed},
        as_json,
        lambda: console.print(f"Org [bold]{escape(org)}[/bold] may export to: {escape(listed)}"),
    )


@app.command("run", hidden=True, cls=_ExportRun)
def run(
    org: OrgOption,
    sobject: Annotated[
        str,
        typer.Option(
            "--object", help="Lead, or Contact (with its Account).", callback=_person_object
        ),
    ],
    file: Annotated[Path, input_file("FILE.csv", "CSV of prospects, with a header.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")
    ] = False,
    connection: Annotated[
        str | None,
        typer.Option(help="The org's Salesforce connection (needed when it has several)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Export a CSV file of prospects as Leads, or as Contacts with their Accounts.

    forcebridge export --org ORG --object Lead|Contact FILE.csv [--dry-run] [--json]

    What an org may export to: forcebridge export allow|disallow --org ORG OBJECT...
    (forcebridge export allowed --org ORG shows it)
    """
    with database() as session:
        found = get_org(session, org)
        chosen = org_connection(session, found, connection)
        counts = partial(recorded_counts, session, counts=EXPORT_COUNTS)
        with (
            open_client(session, chosen) as client,
            _progress_bar(as_json) as progress,
            naming_the_stopped_run(as_json, AGAIN, dry_run=dry_run, counts=counts) as started,
        ):
            try:
                report = export_file(
                    session,
                    client,
                    found,
                    sobject,
                    file,
                    connection_id=chosen.id,
                    dry_run=dry_run,
                    progress=progress,
                    run_started=started.append,
                )
            except ExportError as refused:
                fail_run(str(refused), started, as_json, counts=counts)
    emit(report.to_json(), as_json, lambda: _show(report, sobject), stopped=report.error)
    if report.status is not RunStatus.SUCCEEDED:
        if failed := report.count(Action.FAILED):
            rows = "row" if failed == 1 else "rows"
            where = "the results, by row" if as_json else "the Problems table"
            errors.print(f"{failed:,} {rows} failed: their errors are in {where}")
        raise typer.Exit(1)


class _Bar:
    """The export's progress on stderr: one bar per step."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def step(self, description: str, total: int | None) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(description, total=total)

    def advance(self, done: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, done)


@contextmanager
def _progress_bar(quiet: bool) -> Iterator[_Bar | None]:
    with progress_bar(quiet=quiet) as bar:
        yield None if bar is None else _Bar(bar)


def _show(report: ExportReport, sobject: str) -> None:
    stand = "would stand" if report.dry_run else "stand"
    exported = len(report.results) - report.count(Action.FAILED)
    console.print(
        f"{exported:,} of {len(report.results):,} prospects {stand} in Salesforce as {sobject}s"
        f" (run {report.run_id}): {report.status.value}"
    )
    summary = Table(show_header=False)
    for action in Action:
        summary.add_row(action.value.capitalize(), f"{report.count(action):,}")
    summary.add_row("API calls", f"{report.api_calls:,}")
    console.print(summary)
    if report.dry_run:
        _show_planned(report)
    problems = [(str(r.row), e.field or "", e.message) for r in report.results for e in r.errors]
    _capped("Problems", ("Row", "Field", "Problem"), problems, "see --json or runs show")
    same = [(str(r.row), r.same_person) for r in report.results if r.same_person is not None]
    _capped("The same person as an earlier row", ("Row", "Note"), same, "see runs show")


def _capped(
    title: str, columns: tuple[str, ...], rows: Sequence[tuple[str, ...]], more: str
) -> None:
    """A table of `rows` (none: no table), the first `SHOWN_PROBLEMS` of them, and how many
    more there are, and where (`more`)."""
    if not rows:
        return
    table = Table(*columns, title=title, show_lines=False)
    for row in rows[:SHOWN_PROBLEMS]:
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
    if len(rows) > SHOWN_PROBLEMS:
        console.print(f"... and {len(rows) - SHOWN_PROBLEMS:,} more ({more})")


def _show_planned(report: ExportReport) -> None:
    table = Table(title="What would be written")
    for column in ("Row", "Action", "Fields"):
        table.add_column(column)
    for result in report.results:
        if result.action is Action.FAILED:
            continue
        fields = ", ".join(f"{name}={value}" for name, value in result.values.items()) or "-"
        if result.account_action is not None:
            account = ", ".join(f"{n}={v}" for n, v in result.account_values.items()) or "-"
            fields += f"\nAccount {result.account_action.value}: {account}"
        table.add_row(str(result.row), result.action.value, escape(fields))
    console.print(table)
