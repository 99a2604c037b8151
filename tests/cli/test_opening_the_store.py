"""Opening the store: a database forcebridge cannot or must not use is refused in one sentence
naming it and what to do (under --json, the one document), never as a traceback, and before
anything is written to it."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import create_engine, inspect, text

from forcebridge.jobs.runtime import open_runtime
from forcebridge.settings import Settings, resolve_secret_key
from forcebridge.store.repositories.connections import create_connection
from forcebridge.store.repositories.orgs import create_org
from tests.cli.conftest import Cli, document
from tests.dbfixtures import MigratedDatabases, backend_params, empty_database
from tests.store.samples import LOGIN, TOKENS


@pytest.fixture(params=backend_params())
def store_url(
    request: pytest.FixtureRequest, migrated_databases: MigratedDatabases
) -> Iterator[str]:
    """A forcebridge database at head, on SQLite and on PostgreSQL."""
    with migrated_databases.copy(str(request.param)) as url:
        yield url


def refusal(result: Result) -> str:
    """The error of a refused --json command: one document, said on stderr too, no traceback."""
    assert result.exit_code == 1, result.stdout + result.stderr
    error: str = json.loads(result.stdout)["error"]
    assert "Traceback" not in result.stderr
    assert " ".join(result.stderr.split()) == f"Error: {error}"
    return error


def execute(url: str, *statements: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def tables_of(url: str, schema: str | None = None) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return sorted(inspect(connection).get_table_names(schema=schema))
    finally:
        engine.dispose()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", ["random bytes", "a database cut short"])
def test_a_file_that_is_not_a_sqlite_database_or_is_damaged_is_refused_naming_it(
    cli: Cli, cli_env: dict[str, str], tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "forcebridge.sqlite3"
    if kind == "random bytes":
        path.write_bytes(os.urandom(100_000))
    else:
        whole = Path(cli_env["FORCEBRIDGE_DATABASE_URL"].removeprefix("sqlite:///"))
        path.write_bytes(whole.read_bytes()[:50_000])

    error = refusal(
        cli("org", "list", "--json", env={"FORCEBRIDGE_DATABASE_URL": f"sqlite:///{path}"})
    )

    said = (
        "file is not a database" if kind == "random bytes" else "database disk image is malformed"
    )
    assert error == (
        f"cannot open the database {path}: it is not a SQLite database, or is damaged ({said}); "
        "restore it from a backup"
    )


def test_a_database_a_newer_forcebridge_migrated_is_refused_saying_what_to_do(
    cli: Cli, store_url: str
) -> None:
    """A deployment rolled back to this forcebridge after a newer one migrated its database."""
    execute(store_url, "UPDATE alembic_version SET version_num = '0099'")

    error = refusal(cli("org", "list", "--json", env={"FORCEBRIDGE_DATABASE_URL": store_url}))

    assert re.fullmatch(
        r"the database \S+ was migrated by a newer forcebridge \(schema revision 0099; this "
        r"forcebridge knows revisions up to \d{4}\): run that newer forcebridge, or restore the "
        r"backup taken before it upgraded the database",
        error,
    ), error


def test_another_programs_sqlite_file_is_refused_and_left_exactly_as_it_was(
    cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "forcebridge.sqlite3"
    path.parent.mkdir()
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE sandbox_orgs (id INTEGER PRIMARY KEY, name TEXT)")
        other.execute("CREATE TABLE records (id TEXT PRIMARY KEY)")
        other.execute("INSERT INTO sandbox_orgs (name) VALUES ('acme')")
    other.close()
    before = digest(path)

    error = refusal(
        cli("org", "list", "--json", env={"FORCEBRIDGE_DATABASE_URL": f"sqlite:///{path}"})
    )

    assert error == (
        f"the database {path} holds tables (records, sandbox_orgs) but no forcebridge schema "
        "version (alembic_version): it is another program's database, and forcebridge added "
        "nothing to it; point FORCEBRIDGE_DATABASE_URL (or FORCEBRIDGE_DATA_DIR, for the "
        "default SQLite file) at forcebridge's own database, or at a new one"
    )
    assert digest(path) == before  # not even put in WAL mode
    assert sorted(p.name for p in path.parent.iterdir()) == ["forcebridge.sqlite3"]


@pytest.mark.postgres
def test_a_postgresql_database_with_other_tables_in_forcebridges_schema_is_refused(
    cli: Cli, tmp_path: Path
) -> None:
    with empty_database("postgres", tmp_path) as url:
        execute(url, "CREATE TABLE invoices (id integer)")

        error = refusal(cli("org", "list", "--json", env={"FORCEBRIDGE_DATABASE_URL": url}))

        assert "holds tables in schema public (invoices) but no forcebridge schema version" in error
        assert error.endswith(
            "; to share this database, keep forcebridge's tables out of schema public (CREATE "
            "SCHEMA forcebridge, and ?options=-csearch_path%3Dforcebridge in the URL)"
        )
        assert tables_of(url) == ["invoices"]


@pytest.mark.postgres
def test_a_postgresql_database_is_shared_with_another_program_in_a_schema_of_its_own(
    cli: Cli, tmp_path: Path
) -> None:
    """As the refusal above advises: the other program's tables stay in `public`."""
    with empty_database("postgres", tmp_path) as url:
        execute(url, "CREATE TABLE invoices (id integer)", "CREATE SCHEMA forcebridge")
        own_schema = {"FORCEBRIDGE_DATABASE_URL": f"{url}?options=-csearch_path%3Dforcebridge"}

        assert cli("org", "create", "acme", env=own_schema).exit_code == 0
        listed = document(cli("org", "list", "--json", env=own_schema))

        assert [org["name"] for org in listed["orgs"]] == ["acme"]
        assert tables_of(url) == ["invoices"]
        assert "alembic_version" in tables_of(url, schema="forcebridge")


@pytest.mark.postgres
def test_a_search_path_naming_no_schema_that_exists_is_refused(cli: Cli, tmp_path: Path) -> None:
    with empty_database("postgres", tmp_path) as url:
        nowhere = {"FORCEBRIDGE_DATABASE_URL": f"{url}?options=-csearch_path%3Dnosuch"}

        error = refusal(cli("org", "list", "--json", env=nowhere))

        assert "has no schema to keep forcebridge's tables in" in error
        assert "CREATE SCHEMA" in error


@pytest.mark.parametrize(
    "url", ["sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?uri=true"]
)
def test_an_in_memory_database_is_refused_as_it_would_forget_everything(cli: Cli, url: str) -> None:
    created = cli("org", "create", "foo", "--json", env={"FORCEBRIDGE_DATABASE_URL": url})

    assert refusal(created).startswith(
        f"FORCEBRIDGE_DATABASE_URL: '{url}' cannot be used: it is an in-memory SQLite database, "
        "which forgets everything written to it when the command ends (use sqlite:///PATH"
    )


def _as_a_user_without_root_powers() -> list[str]:
    """The command prefix that runs a process as this user without the power to write where
    its permissions say it cannot (root's), or skips the test where that cannot be had."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, and setpriv is not there to drop root's file powers")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def test_a_data_folder_this_user_cannot_write_is_named_as_the_cause(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """SQLite keeps the -wal and -shm files beside the database, so it cannot open a database in
    WAL mode in a read-only folder (its own words: "attempt to write a readonly database")."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    database = folder / "forcebridge.sqlite3"
    shutil.copyfile(cli_env["FORCEBRIDGE_DATABASE_URL"].removeprefix("sqlite:///"), database)
    folder.chmod(0o500)
    env = cli_env | {
        "FORCEBRIDGE_DATA_DIR": str(folder),
        "FORCEBRIDGE_DATABASE_URL": f"sqlite:///{database}",
    }
    command = [sys.executable, "-m", "forcebridge.cli.main", "org", "list", "--json"]
    try:
        listed = subprocess.run(
            [*_as_a_user_without_root_powers(), *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        folder.chmod(0o700)

    assert listed.returncode == 1, listed.stderr
    error = json.loads(listed.stdout)["error"]
    assert error.startswith(f"cannot write to the database {database} (")
    assert error.endswith(
        f"): this user cannot write to its folder {folder}, where SQLite keeps the database's "
        "-wal and -shm files; make the folder writable for this user, or move the database to a "
        "folder that is"
    )
    assert "Traceback" not in listed.stderr


def test_a_new_data_folder_beside_a_database_names_the_key_file_that_sealed_its_secrets(
    cli: Cli, store_url: str, tmp_path: Path
) -> None:
    """The data folder the secrets were sealed with is missing (a new machine, a volume not
    mounted): the key generated for the new one cannot open them, and is not left behind to be
    mixed up with the right one when it is restored."""
    settings = Settings(data_dir=tmp_path / "first", database_url=store_url, secret_key=None)
    with open_runtime(settings) as runtime, runtime.sessions() as session:
        create_connection(session, create_org(session, "acme"), "main", LOGIN, TOKENS)
        session.commit()
    assert (tmp_path / "first" / "secret.key").exists()  # a new installation's key is kept
    key_file = tmp_path / "new" / "secret.key"
    new_folder: dict[str, Any] = {
        "FORCEBRIDGE_DATABASE_URL": store_url,
        "FORCEBRIDGE_DATA_DIR": str(key_file.parent),
        "FORCEBRIDGE_SECRET_KEY": None,
    }

    refused = refusal(cli("org", "list", "--json", env=new_folder))
    left = list(key_file.parent.iterdir())
    again = refusal(cli("org", "list", "--json", env=new_folder))
    shutil.copy2(tmp_path / "first" / "secret.key", key_file)
    restored = cli("org", "list", "--json", env=new_folder)

    assert refused.startswith("stored secrets were sealed with key ")
    assert refused.endswith(
        " (the data folder holds no secret.key, and a new key, which cannot open them, is not "
        "kept for a database that holds secrets): put the secret.key of the data folder they "
        f"were sealed with at {key_file}, or set FORCEBRIDGE_SECRET_KEY to the key they were "
        "sealed with, or list it in FORCEBRIDGE_RETIRED_SECRET_KEYS"
    )
    assert left == []
    assert again == refused
    assert [o["name"] for o in document(restored)["orgs"]] == ["acme"]


def test_a_key_file_that_does_not_open_the_stored_secrets_is_named_and_kept(
    cli: Cli, store_url: str, tmp_path: Path
) -> None:
    """A secret.key that is there (another folder's) is the operator's: named, never removed."""
    settings = Settings(data_dir=tmp_path / "first", database_url=store_url, secret_key=None)
    with open_runtime(settings) as runtime, runtime.sessions() as session:
        create_connection(session, create_org(session, "acme"), "main", LOGIN, TOKENS)
        session.commit()
    other = Settings(data_dir=tmp_path / "other", database_url=store_url, secret_key=None)
    key_file = tmp_path / "other" / "secret.key"
    resolve_secret_key(other)

    refused = refusal(
        cli(
            "org",
            "list",
            "--json",
            env={
                "FORCEBRIDGE_DATABASE_URL": store_url,
                "FORCEBRIDGE_DATA_DIR": str(key_file.parent),
                "FORCEBRIDGE_SECRET_KEY": None,
            },
        )
    )

    assert f", is read from {key_file}): put the secret.key of the data folder " in refused
    assert f" in place of {key_file}, or set FORCEBRIDGE_SECRET_KEY " in refused
    assert key_file.exists()
