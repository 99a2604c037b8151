"""`forcebridge api-token create|list|revoke`: the token is printed once and kept only as a
hash; the REST API takes it until it is revoked."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from forcebridge.jobs.runtime import open_runtime
from forcebridge.web.app import create_app
from tests.cli.conftest import Cli, document, settings_of


@pytest.fixture
def acme(cli: Cli) -> Cli:
    cli("org", "create", "acme")
    return cli


@pytest.fixture
def web(cli_env: dict[str, str]) -> Iterator[TestClient]:
    """The web app on the commands' database."""
    runtime = open_runtime(settings_of(cli_env))
    try:
        with TestClient(create_app(runtime)) as client:
            yield client
    finally:
        runtime.close()


def stored_tokens(database_url: str) -> list[tuple[str, ...]]:
    engine = create_engine(database_url)
    with engine.connect() as raw:
        rows = [tuple(map(str, row)) for row in raw.execute(text("SELECT * FROM api_tokens"))]
    engine.dispose()
    return rows


def test_a_token_is_printed_once_and_kept_only_as_its_hash(
    acme: Cli, cli_env: dict[str, str]
) -> None:
    created = document(acme("api-token", "create", "--org", "acme", "--name", "product", "--json"))
    plain = acme("api-token", "create", "--org", "acme", "--name", "billing")
    listed = acme("api-token", "list", "--org", "acme", "--json")
    shown = acme("api-token", "list", "--org", "acme")

    token = created["token"]
    other = plain.stdout.strip()
    assert token.startswith("fbt_") and len(token) >= 40
    assert other.startswith("fbt_") and other != token
    assert "not shown again" in plain.stderr
    assert created["name"] == "product" and created["last_used_at"] is None
    assert [t["name"] for t in document(listed)["tokens"]] == ["billing", "product"]
    stored = stored_tokens(cli_env["FORCEBRIDGE_DATABASE_URL"])
    assert hashlib.sha256(token.encode()).hexdigest() in {value for row in stored for value in row}
    for output in (listed.stdout, listed.stderr, shown.stdout, shown.stderr, str(stored)):
        assert token not in output and other not in output


def test_the_api_takes_the_token_lists_its_use_and_refuses_it_once_revoked(
    acme: Cli, web: TestClient
) -> None:
    created = acme("api-token", "create", "--org", "acme", "--name", "product", "--json")
    headers = {"Authorization": f"Bearer {document(created)['token']}"}

    before = web.get("/api/v1/services", headers=headers)
    (listed,) = document(acme("api-token", "list", "--org", "acme", "--json"))["tokens"]
    revoked = acme("api-token", "revoke", "--org", "acme", "product", "--json")
    after = web.get("/api/v1/services", headers=headers)

    assert before.status_code == 200
    assert listed["last_used_at"] is not None
    assert document(revoked) == {"org": "acme", "name": "product", "revoked": True}
    assert after.status_code == 401
    assert document(acme("api-token", "list", "--org", "acme", "--json"))["tokens"] == []


def test_refusals_say_why_with_their_exit_status(acme: Cli) -> None:
    acme("api-token", "create", "--org", "acme", "--name", "product")

    taken = acme("api-token", "create", "--org", "acme", "--name", "product", "--json")
    no_org = acme("api-token", "create", "--org", "globex", "--name", "product", "--json")
    bad_name = acme("api-token", "create", "--org", "acme", "--name", "a/b", "--json")
    unknown = acme("api-token", "revoke", "--org", "acme", "nope", "--json")
    no_name = acme("api-token", "create", "--org", "acme", "--json")

    assert (taken.exit_code, taken.stdout.count("fbt_")) == (1, 0)
    assert "already exists" in document_of_refusal(taken)
    assert no_org.exit_code == 1 and "globex" in document_of_refusal(no_org)
    assert bad_name.exit_code == 1 and "'/'" in document_of_refusal(bad_name)
    assert unknown.exit_code == 1 and "nope" in document_of_refusal(unknown)
    assert no_name.exit_code == 2 and "--name" in document_of_refusal(no_name)


def document_of_refusal(result: Result) -> str:
    """The `{"error": ...}` a refused `--json` command prints."""
    message = json.loads(result.stdout)["error"]
    assert isinstance(message, str)
    return message
