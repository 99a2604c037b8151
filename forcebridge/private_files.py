"""Keeping forcebridge's files to the user who runs it, whichever data folder they are in.

The product's data folder and the sandbox's both hold what no other local user may read (the
contact books and conversations, the secret key; the sandbox's org records and hashed
credentials): the folders made for them, and their SQLite databases, are readable by their
owner only. A folder that exists already is left as its owner made it.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)


def make_private_folders(folder: Path) -> None:
    """Make `folder` and each missing folder above it, every one readable by this user only
    (`mkdir -p` would give the ones above the default mode): each holds nothing but the way
    to the database or the secret key. A folder that exists is left as its owner made it."""
    missing = [each for each in (folder, *folder.parents) if not each.exists()]
    for each in reversed(missing):
        each.mkdir(mode=0o700, exist_ok=True)


def create_private_database(path: Path) -> None:
    """The SQLite database file `path` (and the folders made for it) readable by its owner
    only; SQLite gives its `-wal` and `-shm` files the mode of the database file. A file that
    already exists (restored from a backup, say) is made private too, with its companions; a
    folder that already exists is left as its owner made it."""
    make_private_folders(path.parent)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        for file in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))):
            _make_private(file)


def _make_private(path: Path) -> None:
    """Take away other users' access to `path`, if it exists and is this user's; warn (and go
    on) where that cannot be done, since refusing would not make the file any more private."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    mode = stat.S_IMODE(status.st_mode)
    if not mode & 0o077:
        return
    if status.st_uid != os.geteuid():
        problem = "it belongs to another user"
    else:
        try:
            os.chmod(path, mode & 0o700)
            return
        except OSError as error:
            problem = error.strerror or str(error)
    logger.warning(
        "the database file %s is open to other users (mode %o) and could not be made "
        "private (%s): run chmod 600 %s as its owner",
        path,
        mode,
        problem,
        path,
    )
