"""Atomic file writes: a crash at any moment leaves the old file or the new one, whole.

The data goes to a temporary file beside the target, is flushed to disk, then renamed over
the target (a rename within a folder is atomic on POSIX). A process killed mid-write
(SIGKILL, power loss) cannot remove its temporary, so temporaries carry their writer's
process id — ``.{name}.{pid}.{random}.tmp`` — and the next write of ``name`` removes those
whose writer is no longer running. A live writer's temporary is never touched: another
process may be saving that file at this moment.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see the module docstring)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(path: Path) -> None:
    """Remove the temporaries of ``path`` left by writers that are no longer running."""
    # mkstemp's random part has no dots, so the pid is unambiguous even if the name has some.
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(\d+)\.[^.]+\.tmp")
    for candidate in path.parent.iterdir():
        match = pattern.fullmatch(candidate.name)
        if match and not _running(int(match[1])):
            # Best effort: another writer may be removing it too, or it is not ours to remove.
            with contextlib.suppress(OSError):
                candidate.unlink()


def _running(pid: int) -> bool:
    """Whether a process ``pid`` exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by another user
        return True
    except OverflowError:  # not a pid at all: no process wrote this
        return False
    return True
