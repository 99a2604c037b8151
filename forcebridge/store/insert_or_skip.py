"""`INSERT ... ON CONFLICT DO NOTHING` on either database: of two writers creating the same
row, the second finds it there instead of failing (and learns so, with `RETURNING`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.dialects import postgresql, sqlite


def insert_or_skip(dialect: Dialect, table: Any, *keys: Any) -> postgresql.Insert | sqlite.Insert:
    """An insert into `table` that skips a row whose `keys` (a unique key's columns) are taken."""
    insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=list(keys))
