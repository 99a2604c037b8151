from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from forcebridge.store.engine import make_engine
from forcebridge.store.migrations import alembic_config, downgrade, upgrade
from forcebridge.store.models import Base


def _head() -> str | None:
    engine = make_engine("sqlite://")
    with engine.connect() as connection:
        return ScriptDirectory.from_config(alembic_config(connection)).get_current_head()


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
