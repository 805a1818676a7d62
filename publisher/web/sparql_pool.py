"""Query worker processes: the only thing that can really stop a query that runs too long.

Neither pyoxigraph nor rdflib can cancel a running query, so each query runs in one of a few
worker processes, each holding the release's store opened read-only. A query that passes its
wall-clock limit has its worker killed (SIGKILL) and replaced; the other workers keep serving.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from .sparql_worker import worker_main

STARTUP_TIMEOUT = 30.0


class QueryTimeout(Exception):
    """The query ran past its time limit; its worker was killed and replaced."""


class WorkerDied(Exception):
    """The worker ended without answering (crashed on the query, or could not open the store)."""


class Engine:
    """One worker process with `slots` pipes, each served by its own thread in the process.

    One process holds one copy of the store (in memory once loaded), so concurrency costs no
    second copy. Killing the process on a time limit also stops the other queries it was running:
    those are retried on the replacement, within what is left of their own time limit.
    """

    def __init__(self, store_path: str, slots: int, memory_mb: int | None = None, memory_copy: bool = True):
        self.store_path, self.slots, self.memory_mb, self.memory_copy = store_path, slots, memory_mb, memory_copy
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self.restarts = 0
        self.generation = 0
        self._start()

    def _start(self) -> None:
        pairs = [self._ctx.Pipe() for _ in range(self.slots)]
        self.process = self._ctx.Process(target=worker_main,
                                         args=(self.store_path, [c for _, c in pairs], self.memory_mb,
                                               self.memory_copy),
                                         name="sparql-worker", daemon=True)
        self.process.start()
        for _, child in pairs:
            child.close()
        self.conns = [parent for parent, _ in pairs]
        self.ready = [False] * self.slots

    def restart(self, generation: int) -> None:
        """Replace the process, unless another slot already replaced this generation."""
        with self._lock:
            if generation != self.generation:
                return
            self._stop()
            self.restarts += 1
            self.generation += 1
            self._start()

    def _stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        for conn in self.conns:
            conn.close()

    def stop(self) -> None:
        with self._lock:
            self._stop()

    def connection(self, slot: int) -> tuple[int, object]:
        with self._lock:
            generation, conn, ready = self.generation, self.conns[slot], self.ready[slot]
        if not ready:
            try:
                if not conn.poll(STARTUP_TIMEOUT):
                    raise WorkerDied("the query worker did not start")
                conn.recv()
            except (EOFError, OSError) as exc:
                self.restart(generation)
                raise WorkerDied("the query worker could not open the store") from exc
            with self._lock:
                if generation == self.generation:
                    self.ready[slot] = True
        return generation, conn

    def call(self, slot: int, job: dict, timeout: float) -> dict:
        """Blocking: run a job on one slot, at most `timeout` seconds. Runs in a helper thread."""
        deadline = time.monotonic() + timeout
        while True:
            generation, conn = self.connection(slot)
            try:
                conn.send(job)
                if conn.poll(max(0.0, deadline - time.monotonic())):
                    return conn.recv()
            except (EOFError, OSError) as exc:
                with self._lock:  # waits for a restart in progress
                    replaced = generation != self.generation
                if replaced:  # another slot's query had the process killed: run this one again
                    if deadline - time.monotonic() > 0.1:
                        continue
                    raise QueryTimeout() from exc
                self.restart(generation)
                raise WorkerDied(str(exc) or "the query worker stopped while evaluating this query") from exc
            self.restart(generation)
            raise QueryTimeout()


class Worker:
    """One slot of the engine: what the pool hands out to one query at a time."""

    def __init__(self, engine: Engine, slot: int):
        self.engine, self.slot = engine, slot

    def call(self, job: dict, timeout: float) -> dict:
        return self.engine.call(self.slot, job, timeout)


class WorkerPool:
    """A fixed number of workers; callers wait (bounded) for an idle one."""

    def __init__(self, store_path: str, size: int, max_waiting: int, memory_mb: int | None = None,
                 memory_copy: bool = True):
        self.size, self.max_waiting = size, max_waiting
        self.engine = Engine(store_path, size, memory_mb, memory_copy)
        self.workers = [Worker(self.engine, slot) for slot in range(size)]
        self._idle: asyncio.Queue[Worker] | None = None
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="sparql")
        self._lock = threading.Lock()
        self.waiting = 0

    def _queue(self) -> asyncio.Queue[Worker]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for w in self.workers:
                self._idle.put_nowait(w)
        return self._idle

    @property
    def busy(self) -> bool:
        """True when a new query would have to wait beyond the queue's bound."""
        return self.waiting >= self.max_waiting

    async def run(self, job: dict, timeout: float) -> dict:
        idle = self._queue()
        self.waiting += 1
        try:
            worker = await idle.get()
        finally:
            self.waiting -= 1
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, worker.call, job, timeout)
        # the worker goes back to the queue only once its thread is done with it, even when the
        # client went away and this coroutine was cancelled
        future.add_done_callback(lambda _: idle.put_nowait(worker))
        return await asyncio.shield(future)

    def close(self) -> None:
        self.engine.stop()
        self._executor.shutdown(wait=False, cancel_futures=True)
