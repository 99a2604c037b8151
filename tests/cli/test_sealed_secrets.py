from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.crypto import Keyring
from tests.cli.conftest import Cli, document, password_grant_args

OLD = "the-old-secret-key-retired-this-spring-00000"
NEW = "the-new-secret-key-current-since-today-11111"
OTHER = "a-third-secret-key-from-another-install-2222"

SEALED = "v1:675050092097:qLiaikjc54WU2Ne3UsU5suPiuf9mqueIoma1EhXSNgiqSvAmsuH8yimnY6h_HfQXTg=="
"""The sandbox's client secret as forcebridge sealed it with `NEW + "\\n"` as its key, when
whitespace still counted as part of a key (a key of its own, id 675050092097)."""


def key(secret: str) -> dict[str, str]:
    """The environment of a process configured with `secret` as its only key."""
    return {"FORCEBRIDGE_SECRET_KEY": secret, "FORCEBRIDGE_RETIRED_SECRET_KEYS": ""}


def rotated(current: str, *retired: str) -> dict[str, str]:
    return {"FORCEBRIDGE_SECRET_KEY": current, "FORCEBRIDGE_RETIRED_SECRET_KEYS": ",".join(retired)}


def connect(cli: Cli, sandbox: SandboxServer, env: dict[str, str], org: str = "acme") -> None:
    assert cli("org", "create", org, env=env).exit_code == 0
    args = password_grant_args(sandbox)
    args[args.index("acme")] = org
    assert cli(*args, env=env).exit_code == 0, "could not connect"


def test_resealing_lets_the_retired_key_be_dropped(cli: Cli, sandbox: SandboxServer) -> None:
    """Rotation, finished: the old key sealed a password-grant connection (client secret,
    password, access token); after `secrets reseal` the new key alone opens everything."""
    connect(cli, sandbox, key(OLD))

    resealed = document(cli("secrets", "reseal", "--json", env=rotated(NEW, OLD)))
    again = document(cli("secrets", "reseal", "--json", env=rotated(NEW, OLD)))
    checked = cli("connections", "status", "--check", "--json", env=key(NEW))

    assert resealed == {
        "key": Keyring(NEW).key_id,
        "resealed": 3,
        "already_current": 0,
        "keys_still_needed": [],
        "unresealed": [],
    }
    assert (again["resealed"], again["already_current"]) == (0, 3)
    assert document(checked)["orgs"][0]["status"] == "Connected"  # the secrets open and work
    assert cli("connections", "status", "--json", env=key(OLD)).exit_code == 1


def test_resealing_tells_a_person_the_retired_keys_can_go(cli: Cli, sandbox: SandboxServer) -> None:
    connect(cli, sandbox, key(OLD))

    shown = cli("secrets", "reseal", env=rotated(NEW, OLD))

    assert shown.exit_code == 0
    assert f"Resealed 3 stored secrets with key {Keyring(NEW).key_id}" in shown.stdout
    assert "remove the old keys from FORCEBRIDGE_RETIRED_SECRET_KEYS" in shown.stdout


def test_a_secret_that_cannot_be_opened_is_named_and_keeps_its_key_needed(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    connect(cli, sandbox, key(OLD))
    engine = create_engine(cli_env["FORCEBRIDGE_DATABASE_URL"])
    with engine.begin() as raw:  # a value altered in the database: no key opens it
        raw.execute(text("UPDATE connections SET password = substr(password, 1, 40) || 'AAAA'"))
    engine.dispose()

    result = cli("secrets", "reseal", "--json", env=rotated(NEW, OLD))

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["resealed"], report["keys_still_needed"]) == (2, [Keyring(OLD).key_id])
    [left] = report["unresealed"]
    assert (left["column"], left["row"], left["key"]) == (
        "connections.password",
        {"id": 1},
        Keyring(OLD).key_id,
    )
    assert "fails its integrity check" in left["reason"]
    assert "could not be resealed" in result.stderr
    assert "connections.password of row id=1" in result.stderr


def test_secrets_sealed_with_several_missing_keys_are_named_in_one_sentence(
    cli: Cli, sandbox: SandboxServer
) -> None:
    connect(cli, sandbox, key(OLD), org="acme")
    connect(cli, sandbox, rotated(NEW, OLD), org="globex")

    refused = cli("connections", "list", "--json", env=key(OTHER))

    old_id, new_id = sorted([Keyring(OLD).key_id, Keyring(NEW).key_id])
    error = json.loads(refused.stdout)["error"]
    assert f"sealed with keys {old_id} and {new_id}, which are not configured" in error
    assert "or list them in FORCEBRIDGE_RETIRED_SECRET_KEYS" in error


def test_whitespace_around_the_secret_key_is_not_part_of_it(
    cli: Cli, sandbox: SandboxServer
) -> None:
    """A key pasted with a trailing space, or read from a file with its newline, is the same
    key: it opens what the key without it sealed, and the other way round."""
    connect(cli, sandbox, key(NEW))

    with_newline = cli("connections", "list", "--json", env=key(NEW + "\n"))
    connect(cli, sandbox, key(f" {NEW}\n"), org="globex")
    without = cli("connections", "list", "--json", env=key(NEW))

    assert [c["org"] for c in document(with_newline)["connections"]] == ["acme"]
    assert [c["org"] for c in document(without)["connections"]] == ["acme", "globex"]


def test_secrets_sealed_while_whitespace_counted_still_open_and_reseal_to_the_key(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    """Before whitespace was trimmed, `KEY\\n` sealed under a key of its own: those secrets
    still open with the key as it was given, and `reseal` moves them to the trimmed key."""
    connect(cli, sandbox, key(NEW))
    engine = create_engine(cli_env["FORCEBRIDGE_DATABASE_URL"])
    with engine.begin() as raw:
        raw.execute(text("UPDATE connections SET client_secret = :sealed"), {"sealed": SEALED})
    engine.dispose()

    assert cli("connections", "list", "--json", env=key(NEW)).exit_code == 1
    resealed = document(cli("secrets", "reseal", "--json", env=key(NEW + "\n")))

    assert (resealed["resealed"], resealed["already_current"]) == (1, 2)
    checked = cli("connections", "status", "--check", "--json", env=key(NEW))
    assert document(checked)["orgs"][0]["status"] == "Connected"


def test_a_secret_damaged_in_one_org_leaves_every_listing_readable(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    """Listings never open a secret: one value altered in the database stops only what uses
    its connection, and reseal names it."""
    connect(cli, sandbox, key(NEW), org="acme")
    connect(cli, sandbox, key(NEW), org="beta")
    engine = create_engine(cli_env["FORCEBRIDGE_DATABASE_URL"])
    with engine.begin() as raw:
        raw.execute(
            text(
                "UPDATE connections SET password = substr(password, 1, 40) || 'AAAA' "
                "WHERE org_id = (SELECT id FROM orgs WHERE name = 'beta')"
            )
        )
    engine.dispose()

    orgs = cli("org", "list", "--json", env=key(NEW))
    connections = cli("connections", "list", "--json", env=key(NEW))
    resealed = json.loads(cli("secrets", "reseal", "--json", env=key(NEW)).stdout)

    assert orgs.exit_code == 0, orgs.stdout
    assert {o["name"] for o in json.loads(orgs.stdout)["orgs"]} == {"acme", "beta"}
    assert connections.exit_code == 0, connections.stdout
    assert [u["column"] for u in resealed["unresealed"]] == ["connections.password"]
