"""Build steps side by side: a step that needs none of another's output runs in a forked process.

The machine's cores are the cheapest speed-up a large build has: writing the dumps and the store,
writing the statistics files and checking the shapes need nothing of one another. `Forked(fn, …)`
starts `fn` in a child made by `fork` (it sees the parent's graph and store as they are, without a
copy being made), the parent goes on with its own work, and `result()` waits for the child's
return value or re-raises its exception. A child that dies without answering (killed, out of
memory) is an error too, never a silent gap in the release.

With one core, in a process with other threads (forking one is unsafe), or where `fork` does
not exist, the step runs in the calling process when asked
for its result: the same answer, one at a time.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import Callable
from typing import Any


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _die_with_parent() -> None:
    """Linux: this process is killed when the build that forked it dies (SIGKILL included), so a
    killed build leaves nothing running that holds its lock or writes into its folder."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: a child ends with its work
        return
    if os.getppid() != _BUILD_PID:  # the build died before the line above took effect
        os._exit(1)


_BUILD_PID = os.getpid()


def _run(conn, fn: Callable[..., Any], args: tuple, parent: int) -> None:
    global _BUILD_PID
    _BUILD_PID = parent
    _die_with_parent()
    try:
        answer = ("ok", fn(*args))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        answer = ("error", exc)
    try:
        conn.send(answer)
    except Exception:  # noqa: BLE001 - an exception or value that does not pickle: its text, then
        conn.send(("error", RuntimeError("".join(traceback.format_exception(answer[1]))
                                         if answer[0] == "error" else "a build step's result cannot be pickled")))
    finally:
        conn.close()


class Forked:
    """`fn(*args)` in a forked child; `result()` gives what it returned (or raises what it raised)."""

    def __init__(self, name: str, fn: Callable[..., Any], *args: Any, inline: bool | None = None):
        self.name, self.fn, self.args = name, fn, args
        # fork only a single-threaded process: a child forked while another thread holds a lock (a
        # test server's, a logging handler's) can wait for it for ever. The build's CLI has one thread.
        self.inline = inline if inline is not None else (cores() < 2 or threading.active_count() > 1 or "fork" not in
                                                         multiprocessing.get_all_start_methods())
        self._process = None
        if not self.inline:
            ctx = multiprocessing.get_context("fork")
            self._conn, child_end = ctx.Pipe(duplex=False)
            # not a daemon, so that a step may run steps of its own side by side (the dumps do); a
            # child still never outlives the build: PR_SET_PDEATHSIG above, `cancel()` on failure
            self._process = ctx.Process(target=_run, args=(child_end, fn, args, os.getpid()), name=name,
                                        daemon=False)
            self._process.start()
            child_end.close()

    def result(self) -> Any:
        if self._process is None:
            return self.fn(*self.args)
        try:
            status, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            self._process.join()
            raise RuntimeError(f"the build step {self.name!r} ended without an answer "
                               f"(exit code {self._process.exitcode})") from exc
        except Exception as exc:  # noqa: BLE001 - an answer that pickled but cannot be restored here
            self._process.join()
            raise RuntimeError(f"the build step {self.name!r} answered, but its answer cannot be read: "
                               f"{type(exc).__name__}: {exc}") from exc
        finally:
            self._conn.close()
        self._process.join()
        if status == "error":
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child if it still runs (the build failed elsewhere)."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join()
