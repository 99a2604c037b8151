from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import column, delete, func, insert, inspect, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forcebridge.store.crypto import Keyring
from forcebridge.store.engine import make_engine, make_sessionmaker
from forcebridge.store.errors import AlreadyExists
from forcebridge.store.migrations import alembic_config, downgrade, upgrade
from forcebridge.store.models import (
    AdminUser,
    Base,
    Connection,
    Contact,
    ContactIdentity,
    Lease,
    Org,
    Service,
)
from forcebridge.store.repositories.admins import create_admin, list_admins, remove_admin
from forcebridge.store.repositories.connections import create_connection, get_connection
from forcebridge.store.repositories.contacts import (
    Identity,
    add_identities,
    contacts_by_phone,
    insert_contacts,
    linked_contacts,
)
from forcebridge.store.repositories.leases import OrgScope, holder_of, take_lease
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.types import utcnow
from tests.store.samples import LOGIN, TOKENS


def _old_service(session: Session, org_id: int, connection_id: int | None = None) -> int:
    """A service as an older schema holds it: written with the columns given and those the
    model fills in by default, never one added since without a default (`task_key_scope`),
    which an older table lacks."""
    return session.execute(
        insert(Service)
        .values(org_id=org_id, name="support", connection_id=connection_id)
        .returning(Service.id)
    ).scalar_one()


def _old_connection(session: Session, org_id: int, name: str) -> int:
    """A connection as an older schema holds it: written with the columns it cannot do without
    and those the model fills in by default, never one added since (`user_locale`), which an
    older table lacks."""
    return session.execute(
        insert(Connection)
        .values(
            org_id=org_id,
            name=name,
            kind=LOGIN.kind,
            login_url=LOGIN.login_url,
            instance_url=TOKENS.instance_url,
            api_version=LOGIN.api_version,
            auth_method=LOGIN.auth_method,
            client_id=LOGIN.client_id,
        )
        .returning(Connection.id)
    ).scalar_one()


def _head() -> str | None:
    engine = make_engine("sqlite://")
    with engine.connect() as connection:
        return ScriptDirectory.from_config(alembic_config(connection)).get_current_head()


def test_processes_migrating_an_empty_database_together_all_start_and_it_ends_at_head(
    database_url: str,
) -> None:
    """Workers of a new deployment start at once; each migrates the store on start."""
    failures: list[BaseException] = []
    ready = threading.Barrier(3)

    def start() -> None:
        engine = make_engine(database_url)
        try:
            ready.wait()
            upgrade(engine)
        except BaseException as failure:  # any failure is the finding
            failures.append(failure)
        finally:
            engine.dispose()

    starting = [threading.Thread(target=start) for _ in range(3)]
    for thread in starting:
        thread.start()
    for thread in starting:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in starting)
    assert failures == []
    engine = make_engine(database_url)
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    assert current == _head()


# SQLite cannot reflect expression indexes; PostgreSQL's run of this test compares them.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_upgrade_builds_exactly_the_schema_the_models_declare(database_url: str) -> None:
    upgrade(database_url)

    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert context.get_current_revision() == _head()
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_downgrade_to_base_removes_every_table_and_upgrade_rebuilds_them(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}

    upgrade(engine)
    assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    engine.dispose()


def test_upgrading_a_store_with_contacts_keeps_their_identities_and_unique_key(
    database_url: str,
) -> None:
    """Migration 0004 rebuilds `contact_identities` on SQLite: what it held, its indexes and
    its unique key come through, and deleting the service still removes the identities."""
    engine = make_engine(database_url)
    upgrade(engine, "0003")
    session = make_sessionmaker(engine)()
    service_id = _old_service(session, create_org(session, "acme").id)
    session.commit()
    [contact_id] = insert_contacts(session, service_id, [{"first_name": "Ada"}])
    add_identities(session, service_id, [Identity(contact_id, "salesforce:Contact", "003A")])
    session.commit()
    session.close()

    upgrade(engine, "0004")

    session = make_sessionmaker(engine)()
    assert linked_contacts(session, service_id, "salesforce:Contact", {"003A"}) == {
        "003A": contact_id
    }
    indexes = {index["name"] for index in inspect(engine).get_indexes("contact_identities")}
    assert {"ix_contact_identities_contact_id", "ix_contact_identities_connection_id"} <= indexes
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):  # written by the driver
        add_identities(session, service_id, [Identity(contact_id, "salesforce:Contact", "003A")])
    session.rollback()
    session.execute(delete(Service).where(Service.id == service_id))
    session.commit()
    assert session.scalar(select(func.count()).select_from(ContactIdentity)) == 0
    session.close()
    engine.dispose()


def test_upgrading_a_store_with_contacts_keeps_them_found_by_phone_through_partial_indexes(
    database_url: str,
) -> None:
    """Migration 0005 rebuilds the phone and mobile indexes without the contacts lacking that
    number; contacts stored before are found by either number as before."""
    engine = make_engine(database_url)
    upgrade(engine, "0004")
    session = make_sessionmaker(engine)()
    service_id = _old_service(session, create_org(session, "acme").id)
    session.commit()
    rows = [
        {"first_name": "Ada", "phone_e164": "+12015550100", "mobile_e164": "+12015550199"},
        {"first_name": "Bo", "phone_e164": "+12015550100"},
        {"first_name": "Cy"},
    ]
    ada, bo, _ = insert_contacts(session, service_id, rows)
    session.commit()
    session.close()

    upgrade(engine)

    predicates = {
        index["name"]: " ".join(
            str(value) for key, value in index["dialect_options"].items() if key.endswith("_where")
        )
        for index in inspect(engine).get_indexes("contacts")
    }
    assert "phone_e164 IS NOT NULL" in predicates["ix_contacts_service_phone"]
    assert "mobile_e164 IS NOT NULL" in predicates["ix_contacts_service_mobile"]
    assert predicates["ix_contacts_service_email"] == ""
    session = make_sessionmaker(engine)()
    found = contacts_by_phone(session, service_id, {"+12015550100", "+12015550199"})
    assert sorted(c.id for c in found) == [ada, bo]
    session.close()
    engine.dispose()


def test_upgrading_drops_the_identity_connection_index_and_deleting_a_connection_still_unsets_it(
    database_url: str, keyring: Keyring
) -> None:
    """Migration 0008 drops the index on an identity's connection; deleting a connection still
    leaves its identities linked to their contacts, with no connection."""
    engine = make_engine(database_url, keyring)
    upgrade(engine, "0007")
    session = make_sessionmaker(engine)()
    org = create_org(session, "acme")
    connection_id = _old_connection(session, org.id, "main")
    service_id = _old_service(session, org.id, connection_id)
    session.commit()
    [contact_id] = insert_contacts(session, service_id, [{"first_name": "Ada"}])
    add_identities(
        session, service_id, [Identity(contact_id, "salesforce:Contact", "003A", connection_id)]
    )
    session.commit()
    session.close()

    upgrade(engine)

    indexes = {index["name"] for index in inspect(engine).get_indexes("contact_identities")}
    assert "ix_contact_identities_connection_id" not in indexes
    session = make_sessionmaker(engine)()
    session.execute(delete(Connection).where(Connection.id == connection_id))
    session.commit()
    identity = session.scalars(select(ContactIdentity)).one()
    assert (identity.contact_id, identity.external_id, identity.connection_id) == (
        contact_id,
        "003A",
        None,
    )
    session.close()
    engine.dispose()


def test_upgrading_keeps_the_contacts_and_their_indexes_and_never_gives_an_id_again(
    database_url: str,
) -> None:
    """Migration 0014 copies SQLite's contacts table to have it AUTOINCREMENT; its rows, the
    rows referring to them and its partial indexes come through."""
    engine = make_engine(database_url)
    upgrade(engine, "0013")
    session = make_sessionmaker(engine)()
    service_id = _old_service(session, create_org(session, "acme").id)
    session.commit()
    ada, bo = insert_contacts(
        session, service_id, [{"first_name": "Ada", "phone_e164": "+12015550100"}, {}]
    )
    add_identities(session, service_id, [Identity(ada, "salesforce:Contact", "003A")])
    session.commit()
    session.close()

    upgrade(engine)

    session = make_sessionmaker(engine)()
    assert [c.id for c in contacts_by_phone(session, service_id, {"+12015550100"})] == [ada]
    assert linked_contacts(session, service_id, "salesforce:Contact", {"003A"}) == {"003A": ada}
    session.execute(delete(Contact).where(Contact.id == bo))
    [made] = insert_contacts(session, service_id, [{"first_name": "Cy"}])
    assert made > bo
    session.close()
    engine.dispose()


def test_upgrading_gives_every_service_an_empty_zone_history_and_keeps_its_zone(
    database_url: str,
) -> None:
    """Migration 0016: a service made before has had one zone, so its days stay that zone's."""
    engine = make_engine(database_url)
    upgrade(engine, "0015")
    session = make_sessionmaker(engine)()
    org_id = create_org(session, "acme").id
    service_id = session.execute(
        insert(Service.__table__)
        .values(org_id=org_id, name="support", timezone="Europe/Paris")
        .returning(Service.__table__.c.id)
    ).scalar_one()
    session.commit()
    session.close()

    upgrade(engine)

    session = make_sessionmaker(engine)()
    service = session.get_one(Service, service_id)
    assert (service.timezone, service.timezone_changes) == ("Europe/Paris", [])
    session.close()
    engine.dispose()


def test_upgrading_keeps_the_services_leases_and_lets_an_org_hold_its_own(
    database_url: str,
) -> None:
    """Migration 0018: a lease names a service or, for an org's exports, the org; never both,
    never neither, and deleting the org deletes its leases."""
    engine = make_engine(database_url)
    upgrade(engine, "0017")
    session = make_sessionmaker(engine)()
    org_id = create_org(session, "acme").id
    service_id = _old_service(session, org_id)
    session.execute(
        insert(Lease.__table__).values(service_id=service_id, stream="activities", holder="push")
    )
    session.commit()
    session.close()

    upgrade(engine)

    assert holder_of(engine, service_id, "activities") == "push"
    assert take_lease(engine, OrgScope(org_id), "export", "export", timedelta(minutes=2))
    assert not take_lease(engine, OrgScope(org_id), "export", "other", timedelta(minutes=2))
    for owners in ({}, {"service_id": service_id, "org_id": org_id}):
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(insert(Lease).values(stream="whose", **owners))
    with engine.begin() as connection:
        connection.execute(delete(Org).where(Org.id == org_id))
        assert connection.execute(select(func.count()).select_from(Lease)).scalar() == 0
    engine.dispose()


def test_upgrading_gives_each_admin_a_key_and_never_gives_an_admin_or_connection_id_again(
    database_url: str, keyring: Keyring
) -> None:
    """Migration 0019: each admin gets a session key of their own (their cookies name the
    account by it), and SQLite's admins and connections are copied to have them AUTOINCREMENT:
    their rows, constraints and the rows referring to them come through."""
    engine = make_engine(database_url, keyring)
    upgrade(engine, "0018")
    session = make_sessionmaker(engine)()
    org = create_org(session, "acme")
    main_id = _old_connection(session, org.id, "main")
    service_id = _old_service(session, org.id, main_id)
    old_admins = table(
        "admin_users",
        *(column(name) for name in ("org_id", "email", "password_hash", "role", "session_epoch")),
        *(column(name) for name in ("created_at", "updated_at")),
    )
    for email, role, epoch in (
        ("ann@acme.example", "admin", 3),
        ("yara@acme.example", "viewer", 0),
    ):
        session.execute(
            insert(old_admins).values(
                org_id=org.id, email=email, password_hash="scrypt$", role=role,
                session_epoch=epoch, created_at=utcnow(), updated_at=utcnow(),
            )
        )  # fmt: skip
    session.commit()
    org_id = org.id
    session.close()

    upgrade(engine)

    session = make_sessionmaker(engine)()
    org = session.get_one(Org, org_id)
    ann, yara = list_admins(session, org)
    assert (ann.session_epoch, yara.session_epoch) == (3, 0)
    assert ann.session_key != yara.session_key and len(ann.session_key) == 43
    assert session.get_one(Service, service_id).connection_id == main_id
    remove_admin(session, yara)
    newboss = create_admin(session, org, "newboss@acme.example", "a long enough password")
    assert newboss.id > yara.id and newboss.session_key not in {ann.session_key, yara.session_key}
    session.delete(get_connection(session, org, "main"))
    session.flush()
    assert create_connection(session, org, "eu", LOGIN, TOKENS).id > main_id
    session.commit()
    with pytest.raises(AlreadyExists):
        create_admin(session, org, "ann@acme.example", "a long enough password")
    session.rollback()
    session.execute(delete(Org).where(Org.id == org_id))
    session.commit()
    assert session.scalar(select(func.count()).select_from(AdminUser)) == 0
    assert session.scalar(select(func.count()).select_from(Connection)) == 0
    session.close()
    engine.dispose()


def test_upgrading_forgets_the_failed_logins_kept_as_they_were_typed(database_url: str) -> None:
    """Migration 0020: a failure's key held the org and e-mail as typed (or a password typed
    into the e-mail field); keys are HMACs now, and none of those is left behind."""
    engine = make_engine(database_url)
    upgrade(engine, "0019")
    failures = table("login_failures", column("key"), column("failed_at"))
    with engine.begin() as connection:
        typed = {"key": "127.0.0.1|acme|hunter2-secret!", "failed_at": utcnow()}
        connection.execute(insert(failures).values(typed))

    upgrade(engine)

    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(failures)).scalar() == 0
    engine.dispose()
