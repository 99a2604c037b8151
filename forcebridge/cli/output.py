"""What every command shares: the database session, JSON or Rich output, and errors as messages.

A reporting command prints either a Rich rendering for people or, with `--json`, exactly one
JSON document on stdout for scripts. Messages for people (progress, errors) go to stderr, so
stdout stays parseable. A refusal the product expected (an unknown org, a wrong password, an
untrusted URL) is one line on stderr and exit status 1, and with `--json` the document on
stdout is `{"error": "<that line>"}`; nothing else exits 0.

The root group (`Commands`) lives here, so `forcebridge --help` loads this module: the database's
library and the store are imported by the helpers that use them (`database`, `reporting_errors`,
`naming_the_stopped_run`), not with it.
"""

from __future__ import annotations

import getpass
import json
import re
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from forcebridge.cli.entry import (
    INTERRUPTED,
    INTERRUPTED_STATUS,
    TERMINATED,
    TERMINATED_STATUS,
    document_printed,
    document_written,
)
from forcebridge.salesforce.errors import SalesforceError
from forcebridge.settings import CONFIDENTIAL_SETTINGS, Settings, SettingsError
from forcebridge.store.errors import InvalidValue, StoreError
from forcebridge.sync.connection_errors import ConnectError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

console = Console()
errors = Console(stderr=True)


_USAGE_ERROR: type[typer.BadParameter] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)
"""What Click raises for a command line that does not parse: the base of `BadParameter`, with
its `format_message` and `exit_code`, found through it since Typer may carry its own Click."""


def wrong_options(message: str) -> NoReturn:
    """Refuse options that do not go together, as a command line that does not parse is
    refused: exit status 2 (and `{"error": ...}` for `--json`)."""
    usage = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
    raise usage(message)


class Commands(TyperGroup):
    """The `forcebridge` command group. A command line that does not parse (a missing file, a
    choice not offered, a number out of range) is refused by Click before any command runs;
    under `--json` that refusal is a JSON document on stdout too, so a script always has one
    to read (exit status 2, Click's for a usage error)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        # Known before the command is loaded and parses its options: a stop while it loads
        # still gets its document.
        _json_wanted.set("--json" in argv)
        if not standalone_mode or "--json" not in argv:
            return super().main(
                args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra
            )
        try:
            code = super().main(argv, prog_name, complete_var, False, windows_expand_args, **extra)
        except _USAGE_ERROR as error:
            message = error.format_message()
            errors.print(f"Error: {escape(message)}", soft_wrap=True)
            _print_document({"error": message})
            sys.exit(error.exit_code)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: Any) -> Any:  # Typer's own Click's Context
        """Run the command; a setting refused where a command reads the settings outside its
        `reporting_errors` is refused like any other, not shown as a traceback, and Ctrl+C or
        SIGTERM ends it with the shell's status for it (130, 143) and, under --json, its one
        document."""
        document_printed.set(False)
        try:
            with terminated_as_interrupted():
                return super().invoke(ctx)
        except KeyboardInterrupt:
            # Click would print "Aborted!" (exit status 1) and, under --json, a traceback.
            fail(INTERRUPTED, INTERRUPTED_STATUS)
        except Terminated:
            fail(TERMINATED, TERMINATED_STATUS)
        except SettingsError as error:
            fail(str(error))
        except ValidationError as error:
            if error.title != Settings.__name__:
                raise
            fail(refusal_of(error))


_json_wanted = ContextVar("json_wanted", default=False)
"""Whether the running command was given `--json`, for `fail`."""


def _note_json(wanted: bool) -> bool:
    _json_wanted.set(wanted)
    return wanted


def input_file(metavar: str, help: str) -> Any:
    """The argument naming a file the command reads: refused at once unless it is a readable
    file."""
    return typer.Argument(metavar=metavar, exists=True, dir_okay=False, readable=True, help=help)


JsonFlag = Annotated[
    bool,
    typer.Option(
        "--json", help="Print the result as one JSON document on stdout.", callback=_note_json
    ),
]


def service_path(path: str | None) -> str | None:
    """A service not written ORG/SERVICE is a command line that does not parse (exit status
    2), refused before anything is opened. (The store's names module loads SQLAlchemy, which
    the list of commands does without.)"""
    from forcebridge.store.names import split_service_path

    try:
        if path is not None:
            split_service_path(path)
    except InvalidValue as wrong:
        raise typer.BadParameter(str(wrong)) from None
    return path


ServiceOption = Annotated[
    str,
    typer.Option(
        "--service",
        metavar="ORG/SERVICE",
        help="The service, as ORG/SERVICE.",
        callback=service_path,
    ),
]

#: Refusals with a message meant for the user; anything else is a bug and keeps its traceback.
EXPECTED_ERRORS = (StoreError, SalesforceError, ConnectError, SettingsError)


def refusal_of(error: ValidationError) -> str:
    """Each problem pydantic found, named by where it is: for the settings, the environment
    variable that holds it (`FORCEBRIDGE_LOG_LEVEL: ...`). What was given is quoted when short,
    except for a confidential setting (a key, a secret, the database URL): that would print the
    secret itself, on stdout and into whatever log collects stderr."""
    settings = error.title == Settings.__name__
    problems = []
    for problem in error.errors(include_url=False):
        if problem["type"] == "default_factory_not_called":  # follows from another problem
            continue
        where = ".".join(str(part) for part in problem["loc"])
        field = str(problem["loc"][0]) if problem["loc"] else ""
        confidential = settings and field in CONFIDENTIAL_SETTINGS
        if settings:
            where = f"FORCEBRIDGE_{where.upper()}"
        message = problem["msg"]
        if problem["type"] == "value_error":  # our own validator's words, without pydantic's
            message = str(problem["ctx"]["error"])
        given = repr(problem["input"])
        shown = not confidential and len(given) <= 60 and not _names(message, problem)
        problems.append(f"{where}: {message}" + (f" (not {given})" if shown else ""))
    return "; ".join(problems)


def _names(message: str, problem: Any) -> bool:
    """Whether our own validator's `message` already says what was given (`{path} is a file`),
    as a word of its own: `WARN` inside "WARNING" is not said, and is quoted like the rest."""
    typed = re.escape(str(problem["input"]))
    return (
        problem["type"] == "value_error"
        and re.search(rf"(?<!\w){typed}(?!\w)", message) is not None
    )


def fail(message: str, status: int = 1) -> NoReturn:
    """Refuse: the message on stderr, and for a command given `--json` also `{"error": ...}` on
    stdout, so that a script always has its one document to read; exit status 1, or the
    shell's 128 + the signal's number for a command a signal stopped."""
    errors.print(f"[red]Error:[/red] {escape(message)}", soft_wrap=True)
    if _json_wanted.get() and not document_printed.get():
        _print_document({"error": message})
    raise typer.Exit(status)


def asked_secret(label: str, instead: str, *, confirm: bool = False) -> str:
    """A secret typed at the terminal, never echoed; refused, saying `instead` how to give it,
    when standard input ends unanswered (a script, CI): Click would print a traceback and,
    under --json, no document."""
    try:
        with warnings.catch_warnings():
            # Without a terminal (a script piping the secret in), `getpass` also raises Python's
            # own warning, with its file and line: its one-line notice on stderr is enough.
            warnings.simplefilter("ignore", getpass.GetPassWarning)
            return str(typer.prompt(label, hide_input=True, confirmation_prompt=confirm, err=True))
    except typer.Abort:
        fail(f"{label} not given: {instead}")


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn an expected refusal raised inside the block into a message and exit status 1."""
    from sqlalchemy.exc import OperationalError

    try:
        yield
    except EXPECTED_ERRORS as error:
        fail(str(error))
    except ValidationError as error:
        fail(refusal_of(error))
    except OperationalError as error:  # locked, or out of reach: its SQL and values left out
        fail(f"the database could not be used ({str(error.orig).strip()}); try again")


@contextmanager
def database() -> Iterator[Session]:
    """A session on the configured database (migrated on first use); errors reported."""
    from forcebridge.jobs.runtime import open_runtime
    from forcebridge.store.engine import shown_database
    from forcebridge.store.errors import NotFound

    with reporting_errors():
        runtime = open_runtime(Settings())
        try:
            with runtime.sessions() as session:
                yield session
        except NotFound as missing:
            if missing.kind not in _LOOKED_UP_BY_NAME:
                raise
            # Most often the right name in another database: a new shell without the
            # FORCEBRIDGE_DATABASE_URL or FORCEBRIDGE_DATA_DIR of the one that made it.
            fail(f"{missing} in the database {shown_database(runtime.engine.url)}")
        finally:
            runtime.close()


_LOOKED_UP_BY_NAME = frozenset({"org", "service"})


@contextmanager
def progress_bar(*, quiet: bool) -> Iterator[Progress | None]:
    """A bar on stderr for long work, so stdout stays parseable; None when the caller asked for
    quiet output (`--json`) or stderr is not a terminal."""
    if quiet or not errors.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as bar:
        yield bar


def emit(
    document: Mapping[str, Any],
    as_json: bool,
    show: Callable[[], None],
    *,
    stopped: str | None = None,
) -> None:
    """The command's result: `document` as JSON, or `show()` for people. What `stopped` a run
    goes to stderr either way, so a script told only `"status": "failed"` can log why."""
    if as_json:
        _print_document(document)
    else:
        show()
    if stopped:
        errors.print(f"[red]Stopped:[/red] {escape(stopped)}", soft_wrap=True)


RunCounts = Callable[[int], Mapping[str, Any]]
"""The counts a run had committed, by its id, named as the command's report names them."""


@contextmanager
def naming_the_stopped_run(
    as_json: bool, then: str, *, dry_run: bool = False, counts: RunCounts | None = None
) -> Iterator[list[int]]:
    """Ctrl+C or SIGTERM during a command that started a run (its id appended to the list
    yielded): worded as the run records why it ended (`runs show`), with what to do `then`
    (a `dry_run` has nothing left to finish: it says so instead), and with the run's id and
    `counts`, under `--json` as the command's report with the error, as for a run Salesforce
    stopped, so a script can find the run it failed and read what it did."""
    from forcebridge.store.repositories.runs import stop_reason

    def said(stopped: BaseException) -> str:
        reason = stop_reason(stopped, dry_run=dry_run)
        return reason if dry_run else f"{reason}: {then}"

    started: list[int] = []
    try:
        yield started
    except KeyboardInterrupt as stopped:
        fail_run(said(stopped), started, as_json, INTERRUPTED_STATUS, counts)
    except Terminated as stopped:
        fail_run(said(stopped), started, as_json, TERMINATED_STATUS, counts)


def fail_run(
    error: str,
    started: Sequence[int],
    as_json: bool,
    status: int = 1,
    counts: RunCounts | None = None,
) -> NoReturn:
    """Refuse as `fail` does, naming the run the command had `started` (the list
    `naming_the_stopped_run` yields) if any: `(run N)` for people, and under `--json` the
    document a run stopped midway prints, `{"run_id", "status": "failed", ...its counts...,
    "error"}`; the counts left out if the database cannot tell them now."""
    from sqlalchemy.exc import SQLAlchemyError

    if not started:
        fail(error, status)
    if not as_json:
        fail(f"{error} (run {started[0]})", status)
    try:
        recorded = counts(started[0]) if counts is not None else {}
    except SQLAlchemyError:
        recorded = {}
    document = {"run_id": started[0], "status": "failed", **recorded, "error": error}
    emit(document, as_json, lambda: None)
    errors.print(f"[red]Error:[/red] {escape(error)}", soft_wrap=True)
    raise typer.Exit(status)


def print_listed(
    key: str,
    items: Iterable[Mapping[str, Any]],
    tail: Callable[[], Mapping[str, Any]] | None = None,
) -> None:
    """One document `{key: [...]}` written item by item, so a list of millions takes the memory
    of the page being read, and `tail`'s keys after it (known once the list is read). Stopped
    midway (Ctrl+C, SIGTERM), the list is closed and the document ends with the `error`
    saying why, so a script still reads one whole document; each item is written whole
    (`entry.document_written`)."""
    with document_written():
        typer.echo("{" + json.dumps(key) + ": [", nl=False)
    separator = ""
    try:
        for item in items:
            with document_written():
                typer.echo(separator + json.dumps(item, ensure_ascii=False), nl=False)
            separator = ", "
    except (KeyboardInterrupt, Terminated) as stopped:
        why = INTERRUPTED if isinstance(stopped, KeyboardInterrupt) else TERMINATED
        typer.echo('], "error": ' + json.dumps(why) + "}")
        raise
    after = "".join(
        f", {json.dumps(k)}: {json.dumps(v)}" for k, v in (tail() if tail else {}).items()
    )
    typer.echo("]" + after + "}")


def _print_document(document: Mapping[str, Any]) -> None:
    """The one document; a stop arriving while it is written (a large one, to a slow reader)
    waits for its end, and a stop after it prints no other (`entry.document_written`)."""
    text = json.dumps(document, ensure_ascii=False)
    with document_written():
        typer.echo(text)


class Terminated(SystemExit):
    """SIGTERM, as the command line raises it (`terminated_as_interrupted`)."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Terminated(TERMINATED_STATUS)


@contextmanager
def terminated_as_interrupted(*, stops_cleanly: bool = False) -> Iterator[None]:
    """SIGTERM, how Docker, systemd, Kubernetes and cron's timeouts stop a process, stops it as
    Ctrl+C does: what is in progress cleans up first (a run ends failed, saying so; its leases
    are freed; `sandbox serve`'s address file goes). With Python's default action the process
    would end at once, its runs left `running` and their leases held. For a server, SIGTERM is
    how it is stopped (`stops_cleanly`: exit status 0), and so is Ctrl+C, as its banner says
    (exit status 130, as shells expect, with no error said); uvicorn sends the signal it caught
    on once the server has stopped and its runs have finished."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    except Terminated:
        if not stops_cleanly:
            raise
    except KeyboardInterrupt:
        if not stops_cleanly:
            raise
        raise typer.Exit(INTERRUPTED_STATUS) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
