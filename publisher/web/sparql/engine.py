"""Queries evaluated in the serving process itself, in threads, under a supervisor that can kill it.

Neither pyoxigraph nor rdflib can cancel a running query. Queries therefore run in the process
that serves HTTP (no hop to another process: pyoxigraph releases the GIL while it evaluates and
serialises, so the event loop keeps answering), and the supervisor (supervisor.py) watches a small
table in shared memory where this engine writes the deadline of every running query.

- A query that passes its time limit gets its 503 from this process, which then *retires*: it
  stops accepting connections, finishes the requests it already has (their own deadlines still
  apply) and exits. The supervisor forks a replacement at once, so new requests never wait, and
  SIGKILLs the old process if it is still there past the last deadline plus a grace period.
- Query threads get a stack sized for the longest query accepted (`stack_for`): the engine's
  parser recurses once per nesting level, and a default 8 MB thread stack overflows (SIGSEGV,
  the whole process) at a few thousand levels. Every 25,000-level nest measured (50,000
  characters) parsed within 128 MB, a third of what 8 KB per character gives at that length;
  tests/test_sparql_attacks.py sends the deepest one the guard lets through. The
  stack is reserved, not used: only the pages a query touches count as memory.
- A memory watchdog thread stops the process when its resident memory passes the cap: the
  longest-running query is answered 400 (it needed too much), the others 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
import time
from collections.abc import Callable

from .execute import clean, error, execute

STACK_PER_CHARACTER = 8 * 1024  # bytes of query-thread stack per character of the longest query accepted
MIN_STACK = 64 * 2**20
WHO_BYTES = 160  # per query slot: the client's address and the start of its query, for the supervisor's log
RETIRED_TIMEOUT, RETIRED_MEMORY, RETIRED_SIGNAL = 1.0, 2.0, 3.0  # values of table[0]
WATCH_INTERVAL = 0.02  # seconds between two looks at the resident memory
PAGE = os.sysconf("SC_PAGE_SIZE")


class QueryTimeout(Exception):
    """The query ran past its time limit; it was given up and its process is being replaced."""


class StoreUnavailable(Exception):
    """The serving process could not open the store; the message says why."""


class EngineStopped(Exception):
    """The query was stopped with its process (memory cap). `blamed`: it was the one that grew."""

    def __init__(self, blamed: bool):
        super().__init__("blamed" if blamed else "collateral")
        self.blamed = blamed


def note_running(who, slot: int, client: str, query: str) -> None:
    """Write `client` and the start of `query` in the slot's row of the shared bytes."""
    if who is not None:
        text = f"{client} {' '.join(query.split())}".encode("utf-8", "replace")[:WHO_BYTES - 1]
        who[slot * WHO_BYTES:(slot + 1) * WHO_BYTES] = text.ljust(WHO_BYTES, b"\0")


def running_on(table, who) -> list[str]:
    """What the slots of a serving process were running (client, then the query's start), from its shared rows."""
    if table is None or who is None:
        return []
    return [bytes(who[slot * WHO_BYTES:(slot + 1) * WHO_BYTES]).rstrip(b"\0").decode("utf-8", "replace")
            for slot, deadline in enumerate(list(table)[1:]) if deadline]


def stack_for(max_query_length: int) -> int:
    """Bytes of stack for a query thread that must parse any query of up to `max_query_length` characters."""
    size = max(MIN_STACK, STACK_PER_CHARACTER * max_query_length)
    return (size + PAGE - 1) // PAGE * PAGE


def resident_mb() -> float:
    with open("/proc/self/statm", "rb") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


class QueryEngine:
    """`slots` threads evaluating queries on `store`, with at most `max_waiting` queries queued.

    Made in the parent before the fork (it holds no thread or event loop until first used) and
    attached in the serving process to its store, its row of the shared table and its retire hook.
    """

    def __init__(self, slots: int, max_waiting: int, memory_mb: int | None = None, max_query_length: int = 50_000):
        self.slots, self.max_waiting, self.memory_mb = slots, max_waiting, memory_mb
        self.stack_bytes = stack_for(max_query_length)
        self.store = None
        self.unavailable: str | None = None  # why there is no store, when it could not be opened
        self.table = None  # shared doubles: [0] retired (why), [1 + slot] deadline (monotonic) or 0
        self.who = None  # shared bytes: WHO_BYTES per slot, the client and query running there
        self._retire: Callable[[float], None] = lambda why: None
        self._jobs: queue.SimpleQueue | None = None
        self._idle: asyncio.Queue[int] | None = None
        self._running: dict[asyncio.Future, float] = {}  # future -> start time
        self._loop: asyncio.AbstractEventLoop | None = None
        self.waiting = 0
        self.retired = False

    def attach(self, store, table, retire: Callable[[float], None], unavailable: str | None = None,
               who=None) -> None:
        """In the serving process: the store to query (None: `unavailable` says why), the shared
        table, how to retire, where to note who runs what (read by the supervisor if the process dies)."""
        self.store, self.table, self._retire, self.unavailable = store, table, retire, unavailable
        self.who = who

    @property
    def busy(self) -> bool:
        """True when a new query would have to wait beyond the queue's bound."""
        return self.waiting >= self.max_waiting

    def retire(self, why: float) -> None:
        if not self.retired:
            self.retired = True
            if self.table is not None:
                self.table[0] = why
            self._retire(why)
        elif why == RETIRED_MEMORY:  # already retiring, and still growing: the process must end now
            self._retire(why)

    def _start(self) -> asyncio.Queue[int]:
        if self._idle is None:
            self._loop = asyncio.get_running_loop()
            self._jobs = queue.SimpleQueue()
            default = threading.stack_size(self.stack_bytes)
            try:
                for slot in range(self.slots):
                    threading.Thread(target=self._work, name=f"sparql-{slot}", daemon=True).start()
            finally:
                threading.stack_size(default)
            self._idle = asyncio.Queue()
            for slot in range(self.slots):
                self._idle.put_nowait(slot)
            if self.memory_mb:
                threading.Thread(target=self._watch_memory, name="sparql-memory", daemon=True).start()
        return self._idle

    async def run(self, job: dict, timeout: float, client: str = "") -> dict:
        """Evaluate `job` (see execute.execute) within `timeout` seconds, waiting included;
        `client` is named in the supervisor's log should the process die while it runs."""
        if self.store is None:
            raise StoreUnavailable(self.unavailable or "the query store is not open")
        idle = self._start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if idle.empty():  # wait for a slot (the common case, a free slot, costs no task)
            self.waiting += 1
            try:
                slot = await asyncio.wait_for(idle.get(), timeout)
            except TimeoutError:
                raise QueryTimeout() from None
            finally:
                self.waiting -= 1
        else:
            slot = idle.get_nowait()
        table = self.table
        if table is not None:
            table[1 + slot] = time.monotonic() + max(0.0, deadline - loop.time())
        note_running(self.who, slot, client, job.get("query", ""))
        answer = loop.create_future()
        self._running[answer] = loop.time()

        def finished(result: dict | None, exc: BaseException | None) -> None:  # in the loop, thread done
            if table is not None:
                table[1 + slot] = 0.0
            idle.put_nowait(slot)
            if not answer.done():
                if exc is not None:
                    answer.set_exception(exc)
                else:
                    answer.set_result(result)

        def too_late() -> None:
            if not answer.done():
                answer.set_exception(QueryTimeout())

        self._jobs.put((job, loop, finished))
        timer = loop.call_at(deadline, too_late)
        try:
            return await answer
        except QueryTimeout:
            # the thread cannot be stopped: give up on it, and have this process replaced
            self.retire(RETIRED_TIMEOUT)
            raise
        finally:
            timer.cancel()
            self._running.pop(answer, None)

    def _work(self) -> None:
        """A query thread: evaluate jobs as they come; hand each answer back to the event loop."""
        while True:
            job, loop, finished = self._jobs.get()
            try:
                result = execute(self.store, job)
            except Exception as exc:  # noqa: BLE001 - the request must get an answer, whatever the engine raised
                result = error(400, f"query evaluation failed: {clean(type(exc).__name__ + ': ' + str(exc))}")
            try:
                loop.call_soon_threadsafe(finished, result, None)
            except RuntimeError:  # the event loop has closed: the process is exiting
                return

    def _watch_memory(self) -> None:
        while True:  # also while retiring: a query given up on may still be growing
            time.sleep(WATCH_INTERVAL)
            if resident_mb() > self.memory_mb:
                self._loop.call_soon_threadsafe(self._stop_for_memory)
                return

    def _stop_for_memory(self) -> None:
        """Answer every running query (the oldest is blamed), then retire: the process will exit."""
        running = sorted(self._running.items(), key=lambda item: item[1])
        for i, (answer, _) in enumerate(running):
            if not answer.done():
                answer.set_exception(EngineStopped(blamed=i == 0))
        self.retire(RETIRED_MEMORY)
