"""Alembic's entry point: migrate the connection `forcebridge.store.migrations` hands over."""

from __future__ import annotations

from alembic import context

from forcebridge.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run the store's migrations with forcebridge.store.migrations.upgrade(database_url)"
    )
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
