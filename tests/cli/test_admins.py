from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from forcebridge.store.passwords import verify_password
from tests.cli.conftest import Cli, document

PASSWORD = "correct horse battery"


def stored_admins(database_url: str) -> list[tuple[str, str, str]]:
    engine = create_engine(database_url)
    with engine.connect() as raw:
        rows = raw.execute(text("SELECT email, role, password_hash FROM admin_users"))
        admins = [(row.email, row.role, row.password_hash) for row in rows]
    engine.dispose()
    return admins


def test_an_admin_is_created_from_a_piped_password_kept_only_as_a_hash(
    cli: Cli, cli_env: dict[str, str]
) -> None:
    cli("org", "create", "acme")

    created = document(
        cli(
            "admin",
            "create",
            "--org",
            "acme",
            "Bob@Example.COM",
            "--password-stdin",
            "--json",
            input=PASSWORD + "\n",
        )
    )

    assert created == {"org": "acme", "email": "bob@example.com", "role": "admin"}
    [(email, role, password_hash)] = stored_admins(cli_env["FORCEBRIDGE_DATABASE_URL"])
    assert (email, role) == ("bob@example.com", "admin")
    assert PASSWORD not in password_hash
    assert verify_password(PASSWORD, password_hash)


def test_the_password_is_asked_twice_when_not_piped(cli: Cli) -> None:
    cli("org", "create", "acme")

    mismatch = cli(
        "admin",
        "create",
        "--org",
        "acme",
        "eve@example.com",
        input="first-password\nother-password\n" * 3,
    )
    viewer = cli(
        "admin",
        "create",
        "--org",
        "acme",
        "ann@example.com",
        "--role",
        "viewer",
        "--json",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )

    assert mismatch.exit_code != 0
    assert "do not match" in mismatch.stderr
    assert document(viewer)["role"] == "viewer"


def test_a_bad_address_a_short_password_or_a_second_account_are_refused(cli: Cli) -> None:
    cli("org", "create", "acme")
    create = ("admin", "create", "--org", "acme", "--password-stdin")
    cli(*create, "bob@example.com", input=PASSWORD)

    for email, password, message in [
        ("not-an-address", PASSWORD, "is not an email address"),
        ("ann@example.com", "short", "use at least 12"),
        ("BOB@example.com", PASSWORD, "already exists"),
    ]:
        refused = cli(*create, email, input=password)
        assert refused.exit_code == 1
        assert message in refused.stderr


def test_admins_are_listed_given_a_role_or_password_and_removed(
    cli: Cli, cli_env: dict[str, str]
) -> None:
    cli("org", "create", "acme")
    for email in ("bob@example.com", "ann@example.com"):
        cli("admin", "create", "--org", "acme", email, "--password-stdin", input=PASSWORD)
    new_password = "another long passphrase"

    role = document(cli("admin", "role", "--org", "acme", "Bob@example.com", "viewer", "--json"))
    password = cli(
        "admin", "password", "--org", "acme", "ann@example.com", "--password-stdin", "--json",
        input=new_password,
    )  # fmt: skip
    removed = document(cli("admin", "remove", "--org", "acme", "bob@example.com", "--json"))
    listed = document(cli("admin", "list", "--org", "acme", "--json"))
    unknown = cli("admin", "remove", "--org", "acme", "bob@example.com", "--json")

    assert (role["email"], role["role"]) == ("bob@example.com", "viewer")
    assert document(password)["email"] == "ann@example.com"
    assert removed == {"org": "acme", "email": "bob@example.com", "removed": True}
    assert listed == {
        "org": "acme",
        "admins": [
            {"org": "acme", "email": "ann@example.com", "role": "admin", "last_login_at": None}
        ],
    }
    [(_, _, password_hash)] = stored_admins(cli_env["FORCEBRIDGE_DATABASE_URL"])
    assert verify_password(new_password, password_hash)
    assert unknown.exit_code == 1
    assert "admin 'acme/bob@example.com' does not exist" in json.loads(unknown.stdout)["error"]


def test_the_orgs_last_admin_is_neither_demoted_nor_removed(cli: Cli) -> None:
    cli("org", "create", "acme")
    cli("admin", "create", "--org", "acme", "ann@example.com", "--password-stdin", input=PASSWORD)

    demoted = cli("admin", "role", "--org", "acme", "ann@example.com", "viewer", "--json")
    removed = cli("admin", "remove", "--org", "acme", "ann@example.com", "--json")
    listed = document(cli("admin", "list", "--org", "acme", "--json"))["admins"]

    for refused in (demoted, removed):
        assert refused.exit_code == 1
        assert "the org's only admin" in json.loads(refused.stdout)["error"]
    assert [(a["email"], a["role"]) for a in listed] == [("ann@example.com", "admin")]


def test_a_script_that_gives_no_password_is_told_how_to_in_one_json_document(cli: Cli) -> None:
    cli("org", "create", "acme")

    refused = cli("admin", "create", "--org", "acme", "ann@example.com", "--json", input="")

    assert refused.exit_code == 1
    assert json.loads(refused.stdout) == {
        "error": "Password not given: give it on standard input with --password-stdin"
    }
