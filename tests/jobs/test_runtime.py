from __future__ import annotations

import io
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from forcebridge.jobs.runtime import configure_logging, open_runtime
from forcebridge.sandbox.clients import API_VERSION
from forcebridge.sandbox.server import SandboxServer
from forcebridge.settings import Settings
from forcebridge.store.repositories.connections import create_connection, get_connection
from forcebridge.store.repositories.orgs import create_org, get_org
from tests.dbfixtures import postgres_database
from tests.salesforce.conftest import client_for
from tests.store.samples import LOGIN, TOKENS


@pytest.fixture(autouse=True)
def root_logger() -> Iterator[logging.Logger]:
    """Put the root logger back as it was: the runtime configures the process's logging."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_a_new_data_folder_gets_a_migrated_database_and_a_private_secret_key(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data")

    with open_runtime(settings) as runtime:
        assert "connections" in inspect(runtime.engine).get_table_names()
        with runtime.sessions() as session:
            create_connection(session, create_org(session, "acme"), "main", LOGIN, TOKENS)
            session.commit()
        with runtime.engine.connect() as raw:
            sealed = raw.execute(text("SELECT access_token FROM connections")).scalar_one()
        assert sealed.startswith(f"v1:{runtime.keyring.key_id}:")

    key_file = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with open_runtime(settings) as reopened, reopened.sessions() as session:
        connection = get_connection(session, get_org(session, "acme"), "main")
        assert connection.access_token == TOKENS.access_token


@pytest.mark.postgres
def test_an_empty_postgresql_database_is_migrated_on_first_use(tmp_path: Path) -> None:
    with postgres_database() as url:
        settings = Settings(data_dir=tmp_path, database_url=url)
        with open_runtime(settings) as runtime:
            assert "connections" in inspect(runtime.engine).get_table_names()


def test_log_lines_are_redacted_whichever_logger_writes_them(root_logger: logging.Logger) -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream)
    configure_logging("INFO", stream)

    logging.getLogger("urllib3.anything").info("POST token?refresh_token=5Aep861secret&x=1")
    logging.getLogger("forcebridge.sync").debug("not shown at INFO")

    assert "refresh_token=[REDACTED]&x=1" in stream.getvalue()
    assert "5Aep861secret" not in stream.getvalue()
    assert "not shown" not in stream.getvalue()
    assert stream.getvalue().count("refresh_token") == 1  # one handler, not two


def test_at_debug_no_customer_data_reaches_the_log_from_a_query_or_the_store(
    sandbox: SandboxServer, tmp_path: Path, root_logger: logging.Logger
) -> None:
    """urllib3 logs each request's URL at DEBUG, an export's lookup SOQL and all; SQLAlchemy
    would log statements' values and rows, were its loggers not left at WARNING."""
    email, quoted = "o'brien@example.com", "'o\\'brien@example.com'"
    stream = io.StringIO()
    with open_runtime(Settings(data_dir=tmp_path, log_level="DEBUG")) as runtime:
        configure_logging("DEBUG", stream)
        with runtime.sessions() as session:
            assert session.execute(text("SELECT :email"), {"email": email}).scalar() == email
        soql = f"SELECT Id FROM Contact WHERE Email IN ({quoted}) OR LastName = 'Zeta Widgets'"
        assert not list(client_for(sandbox).client.query_all_records(soql))

    log = stream.getvalue()
    assert f'"GET /services/data/v{API_VERSION}/query/?q=[REDACTED] HTTP/1.1" 200' in log
    for value in ("brien", "Zeta", "example.com"):
        assert value not in log
