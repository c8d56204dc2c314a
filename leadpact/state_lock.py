"""The state's run lock: one flock on `<state>.lock`, held by a sync or undo for as long as
it has the state open. The kernel drops it when the process dies, however it dies, so it
also tells whether a run row still marked "running" belongs to a live process."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import IO

from leadpact.errors import Busy

# A reader's probe (`held`) holds the lock for microseconds; a sync starting at that very
# moment tries again this many times before it calls the state busy.
_TRIES, _PAUSE = 5, 0.02


def lock_path(state_path: Path | str) -> Path:
    return Path(str(state_path) + ".lock")


def exclusive(path: Path) -> IO[str]:
    """Hold an exclusive lock on `path` while the state is open: two overlapping scheduled
    syncs would read the same cursor and could both create the same tasks."""
    handle = path.open("w")
    for attempt in range(_TRIES):
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if attempt + 1 < _TRIES:
                time.sleep(_PAUSE)
    handle.close()
    raise Busy(f"another leadpact run is using {path.with_suffix('')}; "
               "run again when it has finished")


def held(state_path: Path) -> bool:
    """Whether a sync or undo holds this state's lock now (read-only: never creates the
    lock file, and lets go of its probe at once)."""
    try:
        fd = os.open(lock_path(state_path), os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the probe's shared lock, if it got one
    return False
