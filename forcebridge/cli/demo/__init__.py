"""`forcebridge demo`: the whole product as it stands, on the embedded default.

Each chapter shows one capability against a freshly seeded sandbox org; the summary at the end
says what happened and where to look next. The demo's data lives in its own folder so it never
touches the data of a real installation.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from forcebridge.cli.demo.activities_chapter import log_conversations
from forcebridge.cli.demo.api_chapter import call_the_api
from forcebridge.cli.demo.commands import CommandRunner
from forcebridge.cli.demo.connections_chapter import connect_org
from forcebridge.cli.demo.export_chapter import export_prospects
from forcebridge.cli.demo.narration import Narrator
from forcebridge.cli.demo.pull_chapter import pull_contacts
from forcebridge.cli.demo.sandbox_chapter import (
    DemoSize,
    show_clients,
    start_sandbox,
)
from forcebridge.sandbox.clients import simple_salesforce

DEFAULT_DATA = Path(".forcebridge") / "demo"


def demo(
    ctx: typer.Context,
    data: Annotated[
        Path, typer.Option(help="Folder for the demo's org and database.")
    ] = DEFAULT_DATA,
    contacts: Annotated[int, typer.Option(help="Contacts to seed.")] = 5_000,
    leads: Annotated[int, typer.Option(help="Leads to seed.")] = 1_500,
    accounts: Annotated[int, typer.Option(help="Accounts to seed.")] = 600,
) -> None:
    """Run every capability built so far against a freshly seeded sandbox org."""
    narrator = Narrator(Console())
    if data.exists():
        shutil.rmtree(data)
    sandbox_dir = data / "sandbox"
    sandbox_dir.mkdir(parents=True)
    os.environ["FORCEBRIDGE_DATA_DIR"] = str(data / "product")
    os.environ.pop("FORCEBRIDGE_DATABASE_URL", None)
    os.environ.setdefault("FORCEBRIDGE_LOG_LEVEL", "WARNING")
    root = ctx.find_root().command
    run = CommandRunner(
        narrator, lambda argv: root.main(argv, prog_name="forcebridge", standalone_mode=False)
    )
    server = start_sandbox(narrator, sandbox_dir, DemoSize(contacts, leads, accounts))
    try:
        show_clients(narrator, server)
        connect_org(narrator, run, server)
        sf = simple_salesforce(server)
        pull_contacts(narrator, run, sf, data)
        log_conversations(narrator, run, sf, data)
        export_prospects(narrator, run, sf, data)
        call_the_api(narrator, run)
    finally:
        server.stop()
    narrator.summary(
        [
            "The command is .venv/bin/forcebridge (or: source .venv/bin/activate)",
            "Explore the demo's data (in one shell, the sandbox running in another):",
            f"  forcebridge sandbox serve --data {sandbox_dir}",
            f"  export FORCEBRIDGE_DATA_DIR={data / 'product'}",
            "  forcebridge contacts list --service acme/support --json | head",
            "  forcebridge runs list --service acme/support",
            "  forcebridge admin create --org acme you@example.com   (then: forcebridge serve,"
            " and log in at http://127.0.0.1:8000/)",
            "Connect a real org: docs/connections.md    Admin UI and REST API: docs/web.md",
            "Pull: docs/pull.md    Mapping: docs/mapping.md    Activities: docs/activities.md",
            "Export: docs/export.md    Scheduling and workers: docs/jobs.md",
            "Point simple-salesforce or jsforce at it: docs/sandbox.md",
            "Write SOQL safely: docs/soql.md    The Salesforce client: docs/salesforce-client.md",
            "Benchmarks: bench/sandbox.py, bench/pull.py, bench/activities.py, bench/export.py",
        ]
    )
