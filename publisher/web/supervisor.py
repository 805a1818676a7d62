"""`publisher serve`: a supervising parent that forks the process serving HTTP, and replaces it.

The parent binds the listening socket, builds the app once, and forks one *serving process*
(uvicorn on the inherited socket). It never serves a request itself; it

- loads the in-memory copy of the SPARQL store in the background (the serving process answers
  from the on-disk store meanwhile), then forks a serving process that shares the copy
  (copy-on-write, so memory is not doubled) and retires the disk-backed one gracefully;
- forks a replacement as soon as the serving process retires (a query passed its time limit, or
  the memory cap was reached: see sparql/engine.py) or dies, and SIGKILLs a retiring process that
  is still there once its last query deadline (plus a grace period) has passed;
- on SIGTERM/SIGINT stops the serving processes gracefully and exits.

Forking from the parent that holds the copy makes a replacement serve within a tenth of a second, with
the copy, instead of reloading it. The parent runs no event loop, so the children start clean.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import uvicorn

from . import net_fence
from .process_info import exit_description, pss_mb
from .serving_server import ServingServer
from .sparql.engine import PAGE, RETIRED_MEMORY, RETIRED_SIGNAL, WHO_BYTES, QueryEngine, running_on

TICK = 0.05  # seconds between two looks at the serving processes
GRACE = 1.0  # a query's deadline plus this, and its process is killed if it has not retired
LINGER = 10.0  # a retiring process may finish sending what it has for this long after retiring
EARLY_END = 2.0  # serving processes that end this soon after their start are replaced with back-off
GIVE_UP_AFTER = 5  # serving processes in a row that never got ready, none ever had: stop, and say so
MEMORY_EVERY = 10  # ticks between two looks at the serving processes' memory together
MAX_BACK_OFF = 2.0  # seconds; the socket stays open meanwhile, so connections wait in its queue
EXIT_NO_SERVER = 4  # no serving process ever started
PR_SET_PDEATHSIG = 1
LOG_BYTES = 4096  # PIPE_BUF on Linux: a write this long is never split
PREPARED = "loaded the documents' assembler for the serving processes"
SERVING_COPY = "serves from the in-memory copy"  # logged once the switch is made (the benchmark waits for it)


@dataclass
class Child:
    pid: int
    table: object  # the shared doubles of its QueryEngine
    memory: bool  # serving from the in-memory copy
    who: object = None  # the shared bytes where its QueryEngine notes who runs what
    ready: object = None  # a shared flag, set once it listens
    started: float = field(default_factory=time.monotonic)
    retired_at: float | None = None
    last_deadline: float = 0.0
    reasons: list[str] = field(default_factory=list)
    killed: bool = False  # SIGKILL sent (it is reaped at a later tick)


def log(message: str) -> None:
    """One line on stderr in one write (atomic on a pipe up to PIPE_BUF), so lines of the supervisor
    and its serving processes never interleave."""
    line = f"publisher serve [{os.getpid()}]: {message}".encode("utf-8", "replace")[:LOG_BYTES - 1] + b"\n"
    sys.stderr.flush()
    with contextlib.suppress(OSError):
        os.write(sys.stderr.fileno(), line)


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class Supervisor:
    def __init__(self, sock: socket.socket, config: uvicorn.Config, engine: QueryEngine | None,
                 store_path: str | None, memory_copy: bool, quads: int | None, copy_first_below: int = 20_000,
                 network: bool = False, prepare: Callable[[], None] | None = None):
        self.sock, self.config, self.engine = sock, config, engine
        self.prepare = prepare  # run once before a fork that can wait for it (_fork): children start with its work
        self.network = network  # the serving process may open TCP sockets (to a SPARQL backend)
        self.store_path, self.quads, self.copy_first_below = store_path, quads, copy_first_below
        self.want_copy = memory_copy and engine is not None and store_path is not None
        self.copy = None  # the in-memory store, once loaded
        self.current: Child | None = None
        self.retiring: list[Child] = []
        self.stopping = False
        self.failed_starts = 0  # serving processes in a row that ended soon after their start
        self.ever_ready = False  # some serving process has listened: never give up after that
        self.next_start = 0.0  # no replacement before this time (backing off after failed starts)
        self.exit_code = 0
        # a stop waits for the serving processes' graceful shutdown (which waits for running queries)
        self.stop_seconds = float(getattr(config, "timeout_graceful_shutdown", None) or 5) + GRACE
        self.ticks = 0

    # --- the parent ------------------------------------------------------------------------------

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGHUP, self._on_signal)  # a closed terminal or a process manager: stop cleanly
        if self.want_copy and (self.quads or 0) < self.copy_first_below:
            self._load_copy()  # well under a second: serve from memory from the first request
            if self.copy is not None:
                log(f"the first serving process {SERVING_COPY}")
        elif self.want_copy:
            threading.Thread(target=self._load_copy, name="memory-copy", daemon=True).start()
        self.current = self._fork()
        host, port = self.sock.getsockname()[:2]
        log(f"serving on http://{f'[{host}]' if ':' in host else host}:{port}/ (Ctrl-C stops)")
        try:
            while not self.stopping:
                time.sleep(TICK)
                self._tick()
        finally:
            self._stop_all()
        return self.exit_code

    def _on_signal(self, signum, frame) -> None:
        if not self.stopping:
            log(f"{signal.Signals(signum).name}: stopping; queries running get their answers "
                f"(at most {self.stop_seconds:g} s)")
        self.stopping = True

    def _load_copy(self) -> None:
        import pyoxigraph as ox

        from .sparql.execute import MEMORY_COPY_LOADED, load_memory_copy

        started = time.monotonic()
        try:
            on_disk = ox.Store.read_only(self.store_path)
            copy = load_memory_copy(on_disk)
            del on_disk
        except (OSError, RuntimeError, MemoryError, ValueError, SyntaxError) as exc:  # RuntimeError: corruption
            log(f"no in-memory copy of the store ({exc}); answering from disk")
            return
        self.copy = copy
        log(f"{MEMORY_COPY_LOADED} in {time.monotonic() - started:.1f} s")

    def _tick(self) -> None:
        now = time.monotonic()
        self._reap()
        current = self.current
        if current is not None and current.ready is not None and current.ready.value:
            self.ever_ready = True
        if current is not None:
            why = current.table[0] if current.table is not None else 0.0
            if why:
                reason = "it reached the memory cap" if why == RETIRED_MEMORY else "it gave up on a query"
                self._retire(current, reason, signal_it=False)
            elif self.copy is not None and not current.memory:
                self._retire(current, "the in-memory copy is ready", signal_it=True)
                if self.current is not None:
                    log(f"serving process {self.current.pid} {SERVING_COPY}")
            elif self._overdue(current, now):
                log(f"serving process {current.pid} is past a query deadline: killed")
                self._kill(current)
            elif self._too_big(current):
                log(f"serving process {current.pid} uses more than twice the memory cap: killed")
                self._kill(current)
        if self.current is None and not self.stopping and now >= self.next_start:
            self.current = self._fork()
        for child in list(self.retiring):
            deadlines = [d for d in list(child.table or [])[1:] if d]
            child.last_deadline = max([child.last_deadline, *deadlines])
            if child.killed:
                continue
            if now > max(child.retired_at + LINGER, child.last_deadline + GRACE) or self._too_big(child):
                log(f"retiring process {child.pid} still running: killed")
                self._kill(child)
        self.ticks += 1
        if self.ticks % MEMORY_EVERY == 0:
            self._hold_memory_cap()

    def _hold_memory_cap(self) -> None:
        """The memory cap holds for all serving processes together (shared pages counted once, as PSS):
        retiring processes, which only finish old requests, are killed first, the largest first."""
        cap = self.engine.memory_mb if self.engine is not None else None
        if not cap or not self.retiring:
            return
        sizes = {c.pid: pss_mb(c.pid) for c in [self.current, *self.retiring] if c is not None}
        total = sum(sizes.values())
        for child in sorted((c for c in self.retiring if not c.killed), key=lambda c: -sizes.get(c.pid, 0)):
            if total <= cap:
                break
            log(f"serving processes use {total:.0f} MB together, over the cap of {cap} MB: "
                f"retiring process {child.pid} ({sizes.get(child.pid, 0):.0f} MB) killed")
            self._kill(child)
            total -= sizes.get(child.pid, 0)

    def _overdue(self, child: Child, now: float) -> bool:
        return child.table is not None and any(d and d + GRACE < now for d in list(child.table)[1:])

    def _too_big(self, child: Child) -> bool:
        """The backstop of the serving process's own memory watchdog (sparql/engine.py)."""
        cap = self.engine.memory_mb if self.engine is not None else None
        if not cap:
            return False
        try:
            with open(f"/proc/{child.pid}/statm", "rb") as f:
                return int(f.read().split()[1]) * PAGE / 2**20 > 2 * cap
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            return False

    def _retire(self, child: Child, why: str, signal_it: bool) -> None:
        """`child` stops taking connections; a replacement takes over now."""
        child.retired_at = time.monotonic()
        self.retiring.append(child)
        self.current = None
        if signal_it:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGUSR1)  # retire as after a time limit (see _serve)
        if not self.stopping:
            self.current = self._fork()
            log(f"serving process {child.pid} retires ({why}); {self.current.pid} takes over")

    def _kill(self, child: Child) -> None:
        child.killed = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGKILL)
        if child is self.current:
            self.current = None
            if child.table is not None:
                child.table[0] = RETIRED_SIGNAL
        if child not in self.retiring:
            child.retired_at = time.monotonic()
            self.retiring.append(child)

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if self.current is not None and pid == self.current.pid:
                self._ended(self.current, status)
                self.current = None
            self.retiring = [c for c in self.retiring if c.pid != pid]

    def _ended(self, child: Child, status: int) -> None:
        """The current serving process ended by itself: say why, and when its replacement starts.

        A process that died while answering queries names them (and their clients). Requests can
        never make the supervisor give up: only a server that has never got a process ready does,
        after GIVE_UP_AFTER tries; otherwise it backs off (at most MAX_BACK_OFF) and keeps trying.
        """
        if child.ready is not None and child.ready.value:
            self.ever_ready = True
        running = running_on(child.table, child.who)
        early = time.monotonic() - child.started < EARLY_END
        self.failed_starts = self.failed_starts + 1 if early else 0
        if running:
            log(f"serving process {child.pid} died ({exit_description(status)}) while answering "
                + "; ".join(f"[{r}]" for r in running) + "; replacing it")
        elif child.ready is not None and not child.ready.value and not self.ever_ready:
            log(f"serving process {child.pid} ended before it was ready ({exit_description(status)})")
            if self.failed_starts >= GIVE_UP_AFTER:
                log(f"{self.failed_starts} serving processes in a row ended before they were ready; giving up")
                self.stopping, self.exit_code = True, EXIT_NO_SERVER
                return
        else:
            log(f"serving process {child.pid} ended unexpectedly ({exit_description(status)}); replacing it")
        if self.failed_starts:
            self.next_start = time.monotonic() + min(MAX_BACK_OFF, 0.05 * 2 ** self.failed_starts)

    def _stop_all(self) -> None:
        children = [c for c in [self.current, *self.retiring] if c is not None]
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_seconds
        for child in children:
            while time.monotonic() < deadline:
                try:
                    if os.waitpid(child.pid, os.WNOHANG)[0]:
                        break
                except ChildProcessError:
                    break
                time.sleep(0.02)
            else:
                try:
                    os.kill(child.pid, signal.SIGKILL)
                    os.waitpid(child.pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass

    def _fork(self) -> Child:
        table = multiprocessing.RawArray("d", 1 + self.engine.slots) if self.engine is not None else None
        who = multiprocessing.RawArray("c", WHO_BYTES * self.engine.slots) if self.engine is not None else None
        ready = multiprocessing.RawValue("b", 0)
        memory = self.copy is not None
        # what the app would load on a first request (the documents' assembler: ~1 s at a million triples,
        # holding the event loop), loaded here for the copy's process and replacements; not before the first
        if self.prepare is not None and (memory or self.ever_ready):
            prepare, self.prepare, started = self.prepare, None, time.monotonic()
            try:
                prepare()
                log(f"{PREPARED} in {time.monotonic() - started:.1f} s")
            except Exception as exc:  # noqa: BLE001 - each serving process loads it on demand instead
                log(f"could not prepare the app before forking ({exc}); serving processes load it on demand")
        gc.collect()
        gc.freeze()  # the parent's objects stay in shared pages: the collector need not touch them
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the serving process
            code = 1
            try:
                code = self._serve(table, who, ready, memory, parent)
            finally:
                os._exit(code)  # never return into the parent's loop (threads stuck in a query die here)
        return Child(pid=pid, table=table, memory=memory, who=who, ready=ready)

    # --- the serving process ---------------------------------------------------------------------

    def _serve(self, table, who, ready, memory: bool, parent: int) -> int:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the parent
        if os.getppid() != parent:  # the supervisor ended before the death signal was set up
            return 1
        why_not = net_fence.install(allow_tcp=self.network)  # before any thread: every thread inherits it
        if why_not:
            log(f"{why_not}: SERVICE is still refused by the query guard")
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the supervisor decides what a hang-up means
        server = ServingServer(self.config)
        server.ready = ready
        signal.signal(signal.SIGUSR1, server.request_retirement)  # the supervisor: the copy is ready
        site = self.config.app  # app.Site: its outermost layer, the access log, closes connections
        retiring = [False]

        async def drain() -> None:
            """Exit once every connection has closed: each after an answer saying `Connection: close`,
            an idle one at uvicorn's keep-alive timeout; at the latest just before the supervisor's limit."""
            deadline = time.monotonic() + LINGER - 1
            while server.server_state.connections and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            server.should_exit = True

        def retire(why: float) -> None:  # called in the event loop
            if why == RETIRED_MEMORY:  # memory is still growing, retiring or not: finish now
                server.should_exit = True
            if retiring[0]:
                return
            retiring[0] = True
            for listener in getattr(server, "servers", []):
                listener.close()  # stop accepting now: the replacement takes the next connection
            if getattr(site, "access_log", None) is not None:
                site.access_log.closing = True
            if why == RETIRED_MEMORY:  # memory is still growing: finish now
                server.should_exit = True
            else:
                asyncio.get_running_loop().create_task(drain())

        if self.engine is not None:
            import pyoxigraph as ox

            store, unavailable = self.copy, None
            if not memory:
                try:
                    store = ox.Store.read_only(self.store_path)
                except (OSError, RuntimeError) as exc:  # the pages are still served; /sparql answers 503 saying why
                    unavailable = f"the query store could not be opened ({type(exc).__name__})"
                    log(f"{unavailable}: {exc}")
            self.engine.attach(store, table, retire, unavailable, who)
            server.retire = self.engine.retire  # marks the shared table too
        else:
            server.retire = retire
        server.run(sockets=[self.sock])
        return 0

