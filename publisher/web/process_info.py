"""What the supervisor reads about a serving process: its memory (PSS, from procfs) and how it ended."""

from __future__ import annotations

import os
import signal


def pss_mb(pid: int) -> float:
    """Proportional set size of a process in MB (its shared pages divided among their sharers), 0 if gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError, ValueError):
        pass
    return 0.0


def exit_description(status: int) -> str:
    """A wait status as words: the signal that ended the process, or its exit code."""
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.WEXITSTATUS(status)}"
