"""Build steps in forked processes: their answers, their exceptions and their deaths reach the build."""

from __future__ import annotations

import os
import signal
import time

import pytest

from publisher.dataset.side_by_side import Forked
from publisher.errors import DumpMismatch


def _pid_and(value):
    return os.getpid(), value


def test_a_forked_step_returns_its_value_from_another_process():
    pid, value = Forked("step", _pid_and, {"a": [1, 2]}, inline=False).result()
    assert value == {"a": [1, 2]}
    assert pid != os.getpid()


def test_one_core_runs_the_step_here_with_the_same_answer():
    pid, value = Forked("step", _pid_and, 3, inline=True).result()
    assert (pid, value) == (os.getpid(), 3)


def _fail():
    raise DumpMismatch("klimatsamarbeten.ttl: re-parsed graph differs")


def test_the_steps_exception_is_raised_in_the_build():
    with pytest.raises(DumpMismatch, match="re-parsed graph differs"):
        Forked("dumps", _fail, inline=False).result()


class _Unpicklable(Exception):
    def __init__(self, a, b):
        super().__init__(a)  # pickles with one argument, restores with two: fails in the parent


def _fail_oddly():
    raise _Unpicklable("x", "y")


def test_an_exception_that_cannot_be_restored_is_an_error_naming_the_step():
    with pytest.raises(RuntimeError, match="'odd' answered, but its answer cannot be read: TypeError"):
        Forked("odd", _fail_oddly, inline=False).result()


def _nested(inner):
    """A step that runs a step of its own side by side (the dumps do: the JSON-LD dump, the store)."""
    return os.getpid(), Forked("inner", inner, 5, inline=False).result()


def test_a_step_can_run_steps_of_its_own_and_their_answers_and_errors_come_back():
    outer_pid, (inner_pid, value) = Forked("outer", _nested, _pid_and, inline=False).result()
    assert value == 5 and len({os.getpid(), outer_pid, inner_pid}) == 3
    with pytest.raises(DumpMismatch, match="re-parsed graph differs"):
        Forked("outer", _nested, lambda _: _fail(), inline=False).result()


def _die():
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_step_killed_on_the_way_is_an_error_not_a_gap():
    with pytest.raises(RuntimeError, match=r"'documents' ended without an answer \(exit code -9\)"):
        Forked("documents", _die, inline=False).result()


def _parent_killed_then_report(ready_path: str) -> None:
    """A build (this process) forks a step that would run for a minute, then is SIGKILLed."""
    step = Forked("long step", time.sleep, 60, inline=False)
    with open(ready_path, "w") as f:
        f.write(str(step._process.pid))
    time.sleep(60)


def test_a_killed_build_takes_its_steps_with_it(tmp_path):
    """A build killed on the way leaves no step running (which would hold its lock and its folder)."""
    import multiprocessing

    ready = tmp_path / "child.pid"
    build = multiprocessing.get_context("fork").Process(target=_parent_killed_then_report, args=(str(ready),))
    build.start()
    deadline = time.monotonic() + 20
    while not (ready.exists() and ready.read_text()) and time.monotonic() < deadline:
        time.sleep(0.02)
    child = int(ready.read_text())
    os.kill(build.pid, signal.SIGKILL)
    build.join()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(child, signal.SIGKILL)
    raise AssertionError("the step outlived the build that forked it")


def test_a_process_with_other_threads_runs_its_steps_here():
    """Forking a process while another thread may hold a lock can leave the child waiting for ever."""
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        pid, _ = Forked("step", _pid_and, 1).result()
        assert pid == os.getpid()
    finally:
        stop.set()
        other.join()
