"""Query worker processes: the only thing that can really stop a query that runs too long.

Neither pyoxigraph nor rdflib can cancel a running query, so each query runs in one of a few
worker processes, each holding the release's store opened read-only. A query that passes its
wall-clock limit has its worker killed (SIGKILL) and replaced; the other workers keep serving.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

from .sparql_worker import worker_main

STARTUP_TIMEOUT = 30.0


class QueryTimeout(Exception):
    """The query ran past its time limit; its worker was killed and replaced."""


class WorkerDied(Exception):
    """The worker ended without answering (crashed on the query, or could not open the store)."""


class Worker:
    def __init__(self, store_path: str, memory_mb: int | None = None):
        self.store_path, self.memory_mb = store_path, memory_mb
        self._ctx = multiprocessing.get_context("spawn")
        self.restarts = 0
        self._start()

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        self.process = self._ctx.Process(target=worker_main, args=(self.store_path, child, self.memory_mb),
                                         name="sparql-worker", daemon=True)
        self.process.start()
        child.close()
        self.conn = parent
        self.ready = False

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self._start()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()

    def _await_ready(self) -> None:
        try:
            if not self.conn.poll(STARTUP_TIMEOUT):
                raise WorkerDied("the query worker did not start")
            self.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerDied("the query worker could not open the store") from exc
        self.ready = True

    def call(self, job: dict, timeout: float) -> dict:
        """Blocking: send a job, wait at most `timeout` seconds. Runs in a helper thread."""
        try:
            if not self.ready:
                self._await_ready()
            self.conn.send(job)
            if self.conn.poll(timeout):
                return self.conn.recv()
        except (EOFError, OSError, WorkerDied) as exc:
            self.restart()
            raise WorkerDied(str(exc) or "the query worker stopped while evaluating this query") from exc
        self.restart()
        raise QueryTimeout()


class WorkerPool:
    """A fixed number of workers; callers wait (bounded) for an idle one."""

    def __init__(self, store_path: str, size: int, max_waiting: int, memory_mb: int | None = None):
        self.size, self.max_waiting = size, max_waiting
        self.workers = [Worker(store_path, memory_mb) for _ in range(size)]
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
        for w in self.workers:
            w.stop()
        self._executor.shutdown(wait=False, cancel_futures=True)
