"""`forcebridge demo`: the whole product as it stands, on the embedded default.

Each chapter shows one capability against a freshly seeded sandbox org; the summary at the end
says what happened and where to look next. The demo's data lives in its own folder
(`.forcebridge/demo`, or `--data`) so it never touches the data of a real installation; it
empties that folder first only if an earlier demo made it, and refuses any other that holds
files. Its database is always the embedded default, SQLite in that folder, and its secret key
the `secret.key` it generates there, whatever `FORCEBRIDGE_DATABASE_URL`,
`FORCEBRIDGE_SECRET_KEY` (and `FORCEBRIDGE_RETIRED_SECRET_KEYS`) or `FORCEBRIDGE_DATA_DIR` say,
each ignored with a note; the commands it suggests at the end set or unset them, so that they
reach the demo's data from any shell.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

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
    check_port,
    show_clients,
    start_sandbox,
)
from forcebridge.cli.output import errors, fail
from forcebridge.private_files import make_private_folders
from forcebridge.sandbox.clients import simple_salesforce
from forcebridge.sandbox.config import DEFAULT_PORT
from forcebridge.settings import DATABASE_FILE, SECRET_KEY_FILE

DEFAULT_DATA = Path(".forcebridge") / "demo"
DEMO_MARK = ".forcebridge-demo"
"""In the demo's folder: what says an earlier demo made it, so the next may empty it."""


def _start_afresh(data: Path) -> None:
    """Empty the folder an earlier demo made; refuse any other that holds something (`--data`
    naming a folder of real data must not lose it)."""
    if data.exists() and not data.is_dir():
        fail(f"--data {data} is a file, not a folder")
    if data.is_dir() and any(data.iterdir()):
        made_by_a_demo = (data / DEMO_MARK).exists() or {"sandbox", "product"} <= {
            entry.name for entry in data.iterdir()
        }  # the layout of demos from before the mark
        if not made_by_a_demo:
            fail(f"--data {data} holds files no demo made: give an empty or new folder")
        shutil.rmtree(data)


KEY_SETTINGS = ("FORCEBRIDGE_SECRET_KEY", "FORCEBRIDGE_RETIRED_SECRET_KEYS")
"""The keys a user's shell may hold, which the demo's store was not sealed with."""


def _use_own_settings(product: Path) -> tuple[str, bool]:
    """Points the commands the demo runs at its own data folder `product`: its SQLite store,
    and the secret key it generates there. A setting of the user's that would take them
    elsewhere is ignored, with a note, not silently: the demo's store is not theirs, and a key
    of theirs would seal the demo's secrets with a key the commands it suggests do not have.
    The store's URL, for the hints, and whether a key setting was ignored (the hints unset it)."""
    url = f"sqlite:///{product / DATABASE_FILE}"  # as Settings derive it from the data folder
    ignored = {
        "FORCEBRIDGE_DATA_DIR": (str(product), f"keeps its data under --data, in {product}"),
        "FORCEBRIDGE_DATABASE_URL": (url, f"keeps its own SQLite store, {product / DATABASE_FILE}"),
        **dict.fromkeys(KEY_SETTINGS, (None, f"keeps its own key, {product / SECRET_KEY_FILE}")),
    }
    for name, (own, instead) in ignored.items():
        if os.environ.get(name) not in (None, "", own):
            _note(f"{name} is set: the demo ignores it and {instead}")
    keys_ignored = any(os.environ.get(key) for key in KEY_SETTINGS)
    os.environ["FORCEBRIDGE_DATA_DIR"] = str(product)
    # Settings derive the store and the key from the data folder once these are gone: set here,
    # they would outlive the demo in the process that ran it (a test run's later tests).
    for name in ("FORCEBRIDGE_DATABASE_URL", *KEY_SETTINGS):
        os.environ.pop(name, None)
    return url, keys_ignored


def _note(text: str) -> None:
    errors.print(text, soft_wrap=True, markup=False, highlight=False)


def demo(
    ctx: typer.Context,
    data: Annotated[
        Path, typer.Option(help="Folder for the demo's org and database.")
    ] = DEFAULT_DATA,
    port: Annotated[
        int,
        typer.Option(
            envvar="FORCEBRIDGE_SANDBOX_PORT",
            min=0,
            max=65535,
            help="Port for the demo's sandbox (0 picks a free one).",
        ),
    ] = DEFAULT_PORT,
    contacts: Annotated[int, typer.Option(help="Contacts to seed.")] = 5_000,
    leads: Annotated[int, typer.Option(help="Leads to seed.")] = 1_500,
    accounts: Annotated[int, typer.Option(help="Accounts to seed.")] = 600,
) -> None:
    """Run every capability built so far against a freshly seeded sandbox org."""
    narrator = Narrator(Console())
    check_port(port)
    data = data.absolute()  # the commands it suggests run from any folder, in a new shell
    _start_afresh(data)
    sandbox_dir, product = data / "sandbox", data / "product"
    make_private_folders(sandbox_dir)
    (data / DEMO_MARK).touch()
    database_url, keys_ignored = _use_own_settings(product)
    root = ctx.find_root().command
    run = CommandRunner(
        narrator, lambda argv: root.main(argv, prog_name="forcebridge", standalone_mode=False)
    )
    server = start_sandbox(narrator, sandbox_dir, DemoSize(contacts, leads, accounts), port)
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
    installed = Path(sys.executable).parent  # the demo's own installation: .venv/bin
    narrator.summary(
        [
            f"The command is {shlex.quote(str(installed / 'forcebridge'))}"
            f" (or: source {shlex.quote(str(installed / 'activate'))})",
            "Explore the demo's data (in one shell, the sandbox running in another):",
            f"  forcebridge sandbox serve --data {shlex.quote(str(sandbox_dir))} --port"
            f" {urlsplit(server.base_url).port}",
            f"  export FORCEBRIDGE_DATA_DIR={shlex.quote(str(product))}"
            f" FORCEBRIDGE_DATABASE_URL={shlex.quote(database_url)}",
            *([f"  unset {' '.join(KEY_SETTINGS)}"] if keys_ignored else []),
            "  forcebridge contacts list --service acme/support --limit 20",
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
