"""Whether the configured keys open the secrets already stored, checked when a process starts.

A process started with another `FORCEBRIDGE_SECRET_KEY` would otherwise seal new tokens that
no correctly configured process opens, and fail on every page and run that reads the others;
it refuses at once instead, naming the key that is missing.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from forcebridge.store.crypto import Keyring
from forcebridge.store.errors import EncryptionError

_SEALED = ("client_secret", "access_token", "refresh_token", "password", "jwt_private_key")
"""The `connections` columns holding sealed secrets."""


def check_sealed_keys(engine: Engine, keyring: Keyring) -> None:
    """Refuse (`EncryptionError`) when a stored secret was sealed with a key `keyring` lacks."""
    columns = ", ".join(_SEALED)
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT {columns} FROM connections")).all()
    used = {value.split(":")[1] for row in rows for value in row if value and value.count(":") >= 2}
    missing = sorted(used - keyring.key_ids)
    if missing:
        raise EncryptionError(
            f"stored secrets were sealed with key {', '.join(missing)}, which is not configured "
            f"(the current key is {keyring.key_id}): set FORCEBRIDGE_SECRET_KEY to the key they "
            "were sealed with, or list it in FORCEBRIDGE_RETIRED_SECRET_KEYS"
        )
