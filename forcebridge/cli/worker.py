"""`forcebridge worker`: one process of the distributed engine (PostgreSQL and procrastinate).

Start as many as the load needs, on any machines that reach the database; each also takes its
turn dispatching due streams and sweeping up after dead workers. SIGINT or SIGTERM stops it
once its runs in progress have finished.
"""

from __future__ import annotations

import signal
from typing import Annotated

import typer
from sqlalchemy import make_url

from forcebridge.cli.entry import INTERRUPTED_STATUS
from forcebridge.cli.output import errors, fail, reporting_errors
from forcebridge.jobs.distributed import DistributedEngine, ensure_procrastinate_schema
from forcebridge.jobs.errors import PostgresRequired
from forcebridge.jobs.runners import product_registry
from forcebridge.jobs.runtime import open_runtime
from forcebridge.settings import Settings


def command(
    concurrency: Annotated[
        int, typer.Option(min=1, help="Sync jobs this process runs at the same time.")
    ] = 4,
    apply_schema: Annotated[
        bool,
        typer.Option(
            "--apply-schema",
            help="Only create the job queue's tables (if missing), then exit; "
            "workers also do it on start.",
        ),
    ] = False,
) -> None:
    """Run sync jobs from the PostgreSQL job queue (FORCEBRIDGE_DATABASE_URL)."""
    with reporting_errors():
        settings = Settings()
        if (sqlite := _sqlite_file(settings)) is not None:
            fail(str(PostgresRequired(sqlite)))
        # Another database, or PostgreSQL through another driver: the store refuses it, with
        # the URL to write instead.
        runtime = open_runtime(settings, log_level="INFO")
    with runtime:
        # Before saying it runs, so whoever reads "Worker running" finds the queue's tables.
        applied = ensure_procrastinate_schema(runtime.engine)
        if apply_schema:
            errors.print("Job queue tables created." if applied else "Job queue tables present.")
            return
        engine = DistributedEngine(runtime, product_registry(), concurrency=concurrency)
        errors.print(f"Worker running {concurrency} sync jobs at most (Ctrl+C stops).")
        stopped_by = engine.run()
    if stopped_by == signal.SIGINT:
        raise typer.Exit(INTERRUPTED_STATUS)


def _sqlite_file(settings: Settings) -> str | None:
    """What the database is, said as the settings make it, when it is a SQLite file."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if "database_url" not in settings.model_fields_set:
        return (
            f"FORCEBRIDGE_DATABASE_URL is not set, so the database is the SQLite file "
            f"{url.database}"
        )
    return f"FORCEBRIDGE_DATABASE_URL names the SQLite file {url.database}"
