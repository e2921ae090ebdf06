"""The node's files on disk, readable by its own user only: the SQLite file holds the store's
credential (the hub's answers say who this node is to anyone presenting it).

SQLite creates the -wal and -shm files with the mode of the database file, so a database file
made 0600 keeps them 0600 too.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


def prepare_database_file(path: Path) -> None:
    """Make `path`'s directory (0700) if it does not exist, the file (0600) if it does not,
    and take group and other access from the file and its -wal and -shm if they have any.

    A directory that exists is left as it is: it may be shared (the working directory).
    Raises OSError.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=DIRECTORY_MODE, parents=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(FILE_MODE)
