"""A session cookie names its admin's account, never another: a key of the account, and on
SQLite admins' and connections' ids never given again (AUTOINCREMENT).

A cookie named its admin by id and session epoch. SQLite gives a new row the highest id in
the table plus one, so an admin removed while holding the highest id had their id given to
the next admin made, at epoch 0 like theirs: the removed admin's saved cookie was a session of
the new account, with its role. Each admin now has a random session key, made with the account
and never changed, which every cookie carries and must match; existing admins get one here, so
sessions begun before end (their cookies carry no key). A key, unlike an id, is not given
again to an account re-made with the same e-mail, nor in a database re-created or restored
under the same secret key. The ids are kept apart as well, as contacts' are (0014): a
connection's id is in its forms (`/connections/3/remove`), and a form left open on a removed
connection must not act on the next one made. The tables are copied to change that; PostgreSQL's
sequences never reuse an id: nothing else changes there.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_KEY_BYTES = 32
_KEY_TYPE = sa.String(length=64)


def upgrade() -> None:
    op.add_column("admin_users", sa.Column("session_key", _KEY_TYPE, nullable=True))
    admins = sa.table("admin_users", sa.column("id", sa.Integer()), sa.column("session_key"))
    bind = op.get_bind()
    for admin_id in bind.execute(sa.select(admins.c.id)).scalars().all():
        key = secrets.token_urlsafe(_KEY_BYTES)
        bind.execute(admins.update().where(admins.c.id == admin_id).values(session_key=key))
    with _copied("admin_users", autoincrement=True) as table:
        table.alter_column("session_key", existing_type=_KEY_TYPE, nullable=False)
    with _copied("connections", autoincrement=True):
        pass


def downgrade() -> None:
    with _copied("admin_users", autoincrement=False) as table:
        table.drop_column("session_key")
    with _copied("connections", autoincrement=False):
        pass


@contextmanager
def _copied(name: str, *, autoincrement: bool) -> Iterator[BatchOperations]:
    """The table's changes, made by copying it on SQLite, with or without AUTOINCREMENT."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        name,
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_autoincrement": autoincrement},
    ) as table:
        yield table
