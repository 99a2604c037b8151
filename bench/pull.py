"""Benchmark: pull N Contacts from a sandbox into an empty store, then 1% changed, then nothing.

For each size and database (SQLite file, PostgreSQL database), in a fresh process so memory
figures are its own: a first pull over REST pages (the Bulk threshold set out of reach), an
incremental pull after 1% of the Contacts changed, and a pull with nothing changed. The sandbox
runs in a process of its own, so the engine has a core to itself. For the engine-side rate
(conversion, matching and store writes), each read's pages are all fetched from the sandbox
first, to a file, and the time that took is taken out; the engine then gets them one at a time
(see `TimedClient`), so none of its work overlaps a fetch. A second first pull, into a fresh
database, reads ahead as runs do: its wall-clock rate shows what overlapping the waits with the
work gains.

    .venv/bin/python bench/pull.py [--contacts 20000 100000] [--backend sqlite postgres] [--stages]

`--stages` also times each stage of the engine's work on the first pull (converting, keying,
the store's lookups, deciding, writing, logging, committing), in µs a record: the breakdown
docs/pull.md gives. Its pages are then written in turn (no write-behind on PostgreSQL), so that
the stages add up, and the timers cost a little themselves: its rate is not the engine's.

PostgreSQL is reached through FORCEBRIDGE_TEST_POSTGRES_URL (an account that may create
databases; default postgresql+psycopg://postgres@127.0.0.1:5432/postgres). Memory figures
read Linux's /proc/self/status: the peak resident size during each pull.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import importlib
import math
import multiprocessing
import os
import pickle
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, make_url

from forcebridge.sandbox.config import SandboxConfig
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.seed import seed
from forcebridge.soql.builder import select, to_soql
from forcebridge.store.crypto import Keyring
from forcebridge.store.engine import make_engine, make_sessionmaker
from forcebridge.store.migrations import upgrade
from forcebridge.store.models import PullObjects
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service
from forcebridge.sync.connections import connect_with_password, open_client
from forcebridge.sync.pull import PullOptions, PullResult, pull

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CHANGED_SHARE = 0.01
LATER = dt.timedelta(minutes=10)
"""The engine's clock runs this far ahead, as if each pull ran a while after the changes it
reads (past the watermark's overlap), so a run with nothing changed reads nothing."""


class TimedClient:
    """The real client, timing how long the engine waits on Salesforce.

    A read's pages are all fetched first, each to a file as it comes (memory stays a page),
    and only then handed to the engine, one at a time: so the engine's work, and the writing a
    page leaves behind while the next is decided, never overlaps a fetch that would be taken
    out as waiting. Filing a page and taking it back (pickling) is the bench's own doing, in
    place of the client's decoding of Salesforce's answer, which a run spends inside the call
    and so counts as waiting: it counts as waiting here too (`replayed` says how long it took).
    Counted as the engine's, as it was until 2026-12-06, it put 0.15 to 0.2 s of work a run
    never does on 20,000 records (8 to 10 µs a record, up to a sixth of the figure)."""

    def __init__(self, client: Any, folder: Path) -> None:
        self._client = client
        self._folder = folder
        self.waited = 0.0
        self.replayed = 0.0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def _timed_call(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            self.waited += time.perf_counter() - started

    def _timed_iter(self, items: Iterator[Any]) -> Iterator[Any]:
        while True:
            started = time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                self.waited += time.perf_counter() - started
            yield item

    def _fetched_first(self, items: Iterator[Any]) -> Iterator[Any]:
        with tempfile.TemporaryFile(dir=self._folder) as file:
            count = 0
            for item in self._timed_iter(items):
                self._replaying(pickle.dump, item, file, protocol=pickle.HIGHEST_PROTOCOL)
                count += 1
            file.seek(0)
            for _ in range(count):
                yield self._replaying(pickle.load, file)

    def _replaying(self, step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return step(*args, **kwargs)
        finally:
            spent = time.perf_counter() - started
            self.waited += spent
            self.replayed += spent

    def query_pages(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        return self._fetched_first(self._client.query_pages(*args, **kwargs))

    def bulk_query(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        return self._fetched_first(self._client.bulk_query(*args, **kwargs))

    def retrieve_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._timed_call(self._client.retrieve_many, *args, **kwargs)

    def describe(self, *args: Any, **kwargs: Any) -> Any:
        return self._timed_call(self._client.describe, *args, **kwargs)


STAGES = (
    ("forcebridge.sync.pull_record", "resolve", "converting (the mapping)"),
    ("forcebridge.sync.pull_record", "keyed", "keying phones and email"),
    ("forcebridge.sync.pull_stream", "parse_modstamp", "reading SystemModstamp"),
    ("forcebridge.sync.pull_stream", "store_view", "the store's lookups"),
    ("forcebridge.sync.pull_store", "decide_page", "deciding"),
    ("forcebridge.sync.pull_store", "insert_contacts", "writing contacts"),
    ("forcebridge.sync.pull_store", "add_identities", "writing identities"),
    ("forcebridge.sync.pull_store", "record_notes", "logging"),
    ("forcebridge.sync.pull_store", "save_watermark", "saving the watermark"),
    ("forcebridge.sync.pull_stream", "refresh_statistics", "counting the tables (ANALYZE)"),
)
"""Where the engine's time goes: (module, function as that module calls it, what it does)."""


class StageTimer:
    """Replaces each of `STAGES` in the module that calls it with a timed wrapper, and times
    the session's commits. Installed for the rest of the process: only the first pull's
    figures are printed."""

    def __init__(self) -> None:
        self.seconds: collections.defaultdict[str, float] = collections.defaultdict(float)

    def install(self, session: Any) -> None:
        for module_name, function, label in STAGES:
            module = importlib.import_module(module_name)
            setattr(module, function, self._timed(getattr(module, function), label))
        session.commit = self._timed(session.commit, "committing pages")

    def _timed(self, function: Callable[..., Any], label: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started

        return timed

    def report(self, records: int, engine_seconds: float) -> None:
        """Each stage in µs a record, and what the engine spent outside them."""
        if not records:
            return
        for label, seconds in sorted(self.seconds.items(), key=lambda item: -item[1]):
            print(f"    {label:<28} {seconds / records * 1e6:6.1f} µs a record")
        rest = engine_seconds - sum(self.seconds.values())
        print(f"    {'the rest':<28} {rest / records * 1e6:6.1f} µs a record", flush=True)
        self.seconds.clear()


@dataclass(frozen=True)
class Sandbox:
    url: str
    data: Path
    config: SandboxConfig


@contextmanager
def sandbox_process(data: Path) -> Iterator[Sandbox]:
    """`forcebridge sandbox serve` in a process of its own, ready to answer."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "forcebridge.cli.main", "sandbox", "serve"]
    server = subprocess.Popen(
        [*command, "--data", str(data), "--port", str(port), "--api-limit", "10000000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"https://127.0.0.1:{port}"
    try:
        session = requests.Session()
        session.trust_env = False
        for _ in range(300):
            try:
                session.get(f"{url}/services/data/", verify=str(data / "ca.pem"), timeout=1)
                break
            except (requests.ConnectionError, OSError):
                time.sleep(0.1)
        yield Sandbox(url, data, SandboxConfig(data_dir=data))
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'{secrets.token_hex(4)}.sqlite3'}"
        return
    admin_url = make_url(os.environ.get("FORCEBRIDGE_TEST_POSTGRES_URL", POSTGRES_ADMIN))
    name = f"forcebridge_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def memory(field: str) -> float:
    """This process's resident memory (`VmRSS`) or its peak (`VmHWM`), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def reset_peak() -> None:
    """Start measuring the peak again from the current size (Linux `clear_refs`)."""
    Path("/proc/self/clear_refs").write_text("5")


def report(
    label: str, result: PullResult, seconds: float, waited: float | None, target: str
) -> float | None:
    """One pull's figures; `waited` (time spent waiting on the sandbox) is None when the pull
    read ahead, as the waits then overlap the engine's work and cannot be taken out."""
    engine, own = "", None
    if waited is not None:
        own = max(seconds - waited, 1e-9)
        engine = f" engine-side {own:5.1f} s {result.read / own:>6,.0f} rec/s,"
    print(
        f"  {label:<18} read {result.read:>7,} {seconds:5.1f} s {result.read / seconds:>6,.0f}"
        f" rec/s,{engine} API calls {result.api_calls:>3} {target},"
        f" peak RSS {memory('VmHWM'):,.0f} MiB",
        flush=True,
    )
    return own


def python_speed() -> float:
    """Seconds this machine takes for ten million iterations of a plain Python loop: figures
    from machines of different speed compare once divided by it."""
    started = time.perf_counter()
    total = 0
    for n in range(10_000_000):
        total += n
    return time.perf_counter() - started


def run_backend(
    sandbox: Sandbox, contacts: int, backend: str, folder: str, read_ahead: bool, stages: bool
) -> None:
    """One size on one database: first pull, 1% changed, nothing changed; with read-ahead,
    only the first pull (its wall-clock rate is the figure: waits and work overlap). With
    `stages`, the first pull read in turn is timed stage by stage."""
    with database(backend, Path(folder)) as url:
        upgrade(url)
        engine = make_engine(url, Keyring("bench-secret-key-long-enough-for-the-keyring"))
        session = make_sessionmaker(engine)()
        create_org(session, "bench")
        session.commit()
        connection = connect_with_password(
            session,
            "bench",
            "sandbox",
            login_url=sandbox.url,
            client_id=sandbox.config.client_id,
            client_secret=sandbox.config.client_secret,
            username=sandbox.config.username,
            password=sandbox.config.password,
            ca_file=sandbox.data / "ca.pem",
        )
        org = connection.org
        service = create_service(session, org, "contacts", connection=connection)
        service.pull_objects = PullObjects.CONTACTS
        session.commit()
        with open_client(session, connection) as real:
            client = TimedClient(real, Path(folder))
            client.describe("Contact")
            client.describe("Account")
            puller = real if read_ahead else client
            timer = StageTimer() if stages and not read_ahead else None
            options = PullOptions(
                bulk_threshold=10 * contacts, read_ahead=read_ahead, write_behind=timer is None
            )
            rss = memory("VmRSS")
            how = "reading ahead" if read_ahead else "pages in turn"
            print(f"{backend}, {contacts:,} contacts, {how} (RSS before pulling {rss:,.0f} MiB)")

            def timed(label: str, target: str, timer: StageTimer | None = None) -> None:
                client.waited = client.replayed = 0.0
                reset_peak()
                started = time.perf_counter()
                result = pull(
                    session, puller, service, options, clock=lambda: dt.datetime.now(dt.UTC) + LATER
                )
                seconds = time.perf_counter() - started
                own = report(label, result, seconds, None if read_ahead else client.waited, target)
                if own is not None and client.replayed >= 0.01:
                    print(f"    (pages filed and taken back by the bench: {client.replayed:.2f} s)")
                if timer is not None and own is not None:
                    timer.report(result.read, own)

            if timer is not None:
                timer.install(session)
            timed("first pull (REST)", f"(target <= {math.ceil(contacts / 2000) + 2})", timer)
            if read_ahead:
                return
            changed = _change_some(real, contacts)
            timed(f"{changed:,} changed", f"(~{math.ceil(changed / 2000)} per 2,000 changes)")
            timed("nothing changed", "(target 1)")
        engine.dispose()


def _change_some(client: Any, contacts: int) -> int:
    """Give 1% of the Contacts a new title, through sObject Collections."""
    query = to_soql(
        select("Id").from_("Contact").limit(math.ceil(contacts * CHANGED_SHARE)).build()
    )
    ids = [record["Id"] for record in client.query_all_records(query)]
    client.collection_update("Contact", [{"Id": i, "Title": "Changed by the bench"} for i in ids])
    return len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument(
        "--stages", action="store_true", help="time each stage of the first pull read in turn"
    )
    args = parser.parse_args()
    spawn = multiprocessing.get_context("spawn")
    print(f"this machine: a 10,000,000-step Python loop takes {python_speed():.2f} s", flush=True)
    for contacts in args.contacts:
        with tempfile.TemporaryDirectory(prefix="fb-bench-pull-") as tmp:
            data = Path(tmp) / "sandbox"
            org = Org(data)
            seeded = seed(
                org,
                contacts=contacts,
                leads=0,
                accounts=max(1, contacts // 10),
                seed=7,
                loaded_at=org.clock() - dt.timedelta(days=1),  # an org loaded before the pulls
            )
            org.close()
            print(f"seeded {seeded.contacts:,} contacts in {seeded.seconds:.1f} s", flush=True)
            with sandbox_process(data) as sandbox:
                for backend in args.backend:
                    for read_ahead in (False, True):
                        child = spawn.Process(
                            target=run_backend,
                            args=(sandbox, contacts, backend, tmp, read_ahead, args.stages),
                        )
                        child.start()
                        child.join()


if __name__ == "__main__":
    main()
