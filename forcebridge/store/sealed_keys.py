"""Which keys the stored secrets need: checked when a process starts, and moved to the current key.

A process started with another `FORCEBRIDGE_SECRET_KEY` would otherwise seal new tokens that
no correctly configured process opens, and fail on every page and run that reads the others;
it refuses at once instead, naming the key that is missing.

Rotating the key ends with `reseal_secrets`: every value sealed with a retired key is sealed
again with the current one, so the retired key can be dropped from the configuration (a
refresh rewrites access tokens, but nothing else: refresh tokens, client secrets, passwords
and signing keys stay as they were sealed until then).

The sealed columns are found in the models (every `EncryptedText` column), not listed here, so
a secret a later model seals is checked and resealed too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Engine, Text, select, type_coerce, update
from sqlalchemy.orm import Session

from forcebridge.store.crypto import Keyring, sealing_key_id
from forcebridge.store.errors import EncryptionError
from forcebridge.store.models import Base
from forcebridge.store.types import EncryptedText


def sealed_columns() -> list[Column[Any]]:
    """Every column of the schema that holds a secret sealed at rest."""
    return [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def naming_keys(key_ids: Iterable[str]) -> str:
    """How a message names missing keys: "key A, which is" or "keys A and B, which are"."""
    ids = sorted(key_ids)
    if len(ids) == 1:
        return f"key {ids[0]}, which is"
    return f"keys {', '.join(ids[:-1])} and {ids[-1]}, which are"


def check_sealed_keys(engine: Engine, keyring: Keyring) -> None:
    """Refuse (`EncryptionError`) when a stored secret was sealed with a key `keyring` lacks.

    A key file generated for this start is removed again with the refusal: it cannot open the
    stored secrets, and left in the data folder it would be taken for that folder's key by the
    next start, or by an operator restoring the right one (unless a process that started
    alongside already sealed something with it)."""
    with engine.connect() as connection:
        used = {
            key_id
            for column in sealed_columns()
            for (value,) in connection.execute(select(_raw(column)).where(column.is_not(None)))
            if (key_id := sealing_key_id(value)) is not None
        }
    missing = used - keyring.key_ids
    if not missing:
        return
    key_file = keyring.key_file
    discarded = False
    if key_file is not None and key_file.generated and keyring.key_id not in used:
        key_file.path.unlink(missing_ok=True)
        discarded = True
    raise EncryptionError(_missing_keys_refusal(missing, keyring, discarded=discarded))


def _missing_keys_refusal(missing: Collection[str], keyring: Keyring, *, discarded: bool) -> str:
    """Why a process with `keyring` cannot open the stored secrets sealed with the `missing`
    keys, and what to do. A key read from the data folder's file is named by its path, and so
    is the file a new data folder (or another one) beside such a database lacks: the fix is
    the file of the folder the secrets were sealed with."""
    them = "it" if len(missing) == 1 else "them"
    settings = (
        "set FORCEBRIDGE_SECRET_KEY to the key they were sealed with, or list "
        f"{them} in FORCEBRIDGE_RETIRED_SECRET_KEYS"
    )
    sealed = f"stored secrets were sealed with {naming_keys(missing)} not configured"
    key_file = keyring.key_file
    if key_file is None:
        return f"{sealed} (the current key is {keyring.key_id}): {settings}"
    name = key_file.path.name
    if discarded:
        origin = (
            f"the data folder holds no {name}, and a new key, which cannot open them, is not "
            "kept for a database that holds secrets"
        )
        place = f"at {key_file.path}"
    else:
        origin = f"the current key, {keyring.key_id}, is read from {key_file.path}"
        place = f"in place of {key_file.path}"
    return (
        f"{sealed} ({origin}): put the {name} of the data folder they were sealed with "
        f"{place}, or {settings}"
    )


@dataclass(frozen=True)
class Unresealed:
    """A stored secret `reseal_secrets` could not seal again, and why."""

    column: str
    """Where it is, as "table.column"."""
    row: dict[str, Any]
    """Its row's primary key."""
    key_id: str | None
    """The key it was sealed with; None when it is not a value forcebridge sealed."""
    reason: str


@dataclass(frozen=True)
class ResealReport:
    """What `reseal_secrets` did, and whether a retired key may now be dropped."""

    key_id: str
    """The current key, which every resealed value is now sealed with."""
    resealed: int
    already_current: int
    unresealed: list[Unresealed]

    @property
    def keys_still_needed(self) -> list[str]:
        """Keys other than the current one that stored secrets still need: none, once done."""
        return sorted({u.key_id for u in self.unresealed if u.key_id not in (None, self.key_id)})


def reseal_secrets(session: Session, keyring: Keyring) -> ResealReport:
    """Seal every stored secret not sealed with the current key of `keyring` again with it.

    Run in the caller's transaction (commit it to keep the result), with the rows locked on
    PostgreSQL, so a token a worker renews meanwhile is neither lost nor left on an old key.
    A value that cannot be opened (its key missing, or altered, even on the current key) is
    left as it is and reported.
    """
    resealed = already_current = 0
    unresealed: list[Unresealed] = []
    for column, key, value in _sealed_values(session):
        key_id = sealing_key_id(value)
        try:
            opened = keyring.decrypt(value)  # a value on the current key is checked too
        except EncryptionError as error:
            unresealed.append(Unresealed(str(column), key, key_id, str(error)))
            continue
        if key_id == keyring.key_id:
            already_current += 1
            continue
        sealed = keyring.encrypt(opened)
        table = column.table
        where = [table.c[name] == part for name, part in key.items()]
        session.execute(update(table).where(*where).values({column.name: _raw_value(sealed)}))
        resealed += 1
    return ResealReport(keyring.key_id, resealed, already_current, unresealed)


def _sealed_values(session: Session) -> Iterator[tuple[Column[Any], dict[str, Any], str]]:
    """Each stored sealed value as it is stored, with its column and its row's primary key."""
    for column in sealed_columns():
        primary_key = list(column.table.primary_key.columns)
        rows = session.execute(
            select(*primary_key, _raw(column)).where(column.is_not(None)).with_for_update()
        ).all()  # read whole before the caller writes to the table
        for *key, value in rows:
            yield column, {c.name: part for c, part in zip(primary_key, key, strict=True)}, value


def _raw(column: Column[Any]) -> Any:
    """The column as stored: its sealed text, not opened on the way out."""
    return type_coerce(column, Text)


def _raw_value(sealed: str) -> Any:
    """A value already sealed, written as it is rather than sealed again."""
    return type_coerce(sealed, Text)
