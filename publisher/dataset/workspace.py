"""The dist/ folder before a build writes anything: one build at a time, no leftovers, and a target
that can be written to, found out before the (long) validation rather than after it.

A build writes its release into `dist/.build-*` and renames it into place (dump.ReleaseWriter). A
build killed on the way leaves that folder behind; the next build removes every such folder, under
an exclusive lock on `dist/.lock` that each build holds until it ends, so a folder another build is
still writing is never touched (a second build at the same time waits for the first).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from pathlib import Path

from ..errors import ReleaseIOError

LOCK = ".lock"
WORK_PREFIXES = (".build-", ".current-")


def io_error(action: str, exc: OSError) -> ReleaseIOError:
    where = f" ({exc.filename})" if exc.filename else ""
    return ReleaseIOError(f"could not {action}: {exc.strerror or exc}{where}; nothing was published, "
                          "the current release is unchanged")


def claim(dist_dir: Path) -> int:
    """Lock `dist_dir` for this build (a file descriptor; released when the process ends), remove what
    killed builds left, and check that a release can be written there. Raises ReleaseIOError."""
    try:
        dist_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(dist_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise io_error(f"prepare the output folder {dist_dir}", exc) from exc
    fcntl.flock(fd, fcntl.LOCK_EX)
    for leftover in dist_dir.iterdir():
        if leftover.name.startswith(WORK_PREFIXES):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
    probe = dist_dir / f".build-probe-{os.getpid()}"
    try:
        probe.write_bytes(b"probe\n")
        probe.unlink()
    except OSError as exc:
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)
        os.close(fd)
        raise io_error(f"write to the output folder {dist_dir}", exc) from exc
    return fd
