"""Query worker processes: the only thing that can really stop a query that runs too long.

Neither pyoxigraph nor rdflib can cancel a running query, so queries run in a worker process
that holds the release's store (see sparql_worker). A query that passes its wall-clock limit
has the process killed (SIGKILL) and replaced; requests that do not need the engine never wait.

The event loop talks to the worker directly: each query slot is one socket pair, read with
asyncio streams in the wire format of multiprocessing.Connection (a 4-byte length, then a
pickle), so no helper thread sits between a request and its answer.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import socket
import struct
import threading

from .sparql_worker import worker_main

STARTUP_TIMEOUT = 30.0
RETRY_MARGIN = 0.1  # seconds: a query whose process a sibling had killed is re-run only with more left


class QueryTimeout(Exception):
    """The query ran past its time limit; its worker was killed and replaced."""


class WorkerDied(Exception):
    """The worker ended without answering (crashed on the query, or could not open the store)."""


async def read_frame(reader: asyncio.StreamReader) -> dict:
    size = struct.unpack("!i", await reader.readexactly(4))[0]
    if size == -1:
        size = struct.unpack("!Q", await reader.readexactly(8))[0]
    return pickle.loads(await reader.readexactly(size))


def frame(message: dict) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return struct.pack("!i", len(data)) + data


class Engine:
    """One worker process with `slots` connections, each served by its own thread in the process.

    One process holds one copy of the store (in memory once loaded), so concurrency costs no
    second copy. Killing the process on a time limit also stops the other queries it was running:
    those are re-run on the replacement, within what is left of their own time limit.
    """

    def __init__(self, store_path: str, slots: int, memory_mb: int | None = None, memory_copy: bool = True):
        self.store_path, self.slots, self.memory_mb, self.memory_copy = store_path, slots, memory_mb, memory_copy
        self._ctx = multiprocessing.get_context("spawn")
        self.restarts = 0
        self.generation = 0
        self._start()

    def _start(self) -> None:
        pairs = [self._ctx.Pipe() for _ in range(self.slots)]  # duplex: Unix socket pairs
        self.process = self._ctx.Process(target=worker_main,
                                         args=(self.store_path, [c for _, c in pairs], self.memory_mb,
                                               self.memory_copy),
                                         name="sparql-worker", daemon=True)
        self.process.start()
        self.sockets = []
        for parent, child in pairs:
            child.close()
            self.sockets.append(socket.socket(fileno=os.dup(parent.fileno())))
            parent.close()
        self.streams: list[tuple | None] = [None] * self.slots

    def restart(self, generation: int) -> None:
        """Replace the process, unless it was already replaced since `generation`."""
        if generation != self.generation:
            return
        self.stop()
        self.restarts += 1
        self.generation += 1
        self._start()

    def stop(self) -> None:
        process = self.process
        if process.is_alive():
            process.kill()
        threading.Thread(target=process.join, args=(5,), daemon=True).start()  # reap without blocking
        for slot, streams in enumerate(self.streams):
            try:
                if streams is not None:
                    streams[1].close()  # the transport owns the socket now
                    continue
            except RuntimeError:  # at exit, after the event loop has closed
                pass
            self.sockets[slot].close()

    async def _connect(self, slot: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.streams[slot] is None:
            generation = self.generation
            reader, writer = await asyncio.open_unix_connection(sock=self.sockets[slot])
            if generation != self.generation:  # replaced meanwhile
                writer.close()
                raise ConnectionResetError("the query worker was replaced")
            self.streams[slot] = (reader, writer, False)
        reader, writer, ready = self.streams[slot]
        if not ready:
            generation = self.generation
            try:
                await asyncio.wait_for(read_frame(reader), STARTUP_TIMEOUT)
            except TimeoutError:
                raise WorkerDied("the query worker did not start") from None
            if generation == self.generation:
                self.streams[slot] = (reader, writer, True)
        return reader, writer

    async def call(self, slot: int, job: dict, timeout: float) -> dict:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            generation = self.generation
            try:
                reader, writer = await self._connect(slot)
                writer.write(frame(job))
                return await asyncio.wait_for(read_frame(reader), max(0.0, deadline - loop.time()))
            except TimeoutError:
                self.restart(generation)
                raise QueryTimeout() from None
            except (asyncio.IncompleteReadError, EOFError, OSError, WorkerDied) as exc:
                if generation != self.generation:  # another query had the process killed
                    if deadline - loop.time() > RETRY_MARGIN:
                        continue
                    raise QueryTimeout() from exc
                self.restart(generation)
                if isinstance(exc, WorkerDied):
                    raise
                raise WorkerDied("the query worker stopped while evaluating this query") from exc


class WorkerPool:
    """A fixed number of query slots; callers wait (bounded) for an idle one."""

    def __init__(self, store_path: str, size: int, max_waiting: int, memory_mb: int | None = None,
                 memory_copy: bool = True):
        self.size, self.max_waiting = size, max_waiting
        self.engine = Engine(store_path, size, memory_mb, memory_copy)
        self._idle: asyncio.Queue[int] | None = None
        self.waiting = 0

    def _queue(self) -> asyncio.Queue[int]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for slot in range(self.size):
                self._idle.put_nowait(slot)
        return self._idle

    @property
    def busy(self) -> bool:
        """True when a new query would have to wait beyond the queue's bound."""
        return self.waiting >= self.max_waiting

    async def run(self, job: dict, timeout: float) -> dict:
        idle = self._queue()
        self.waiting += 1
        try:
            slot = await idle.get()
        finally:
            self.waiting -= 1
        task = asyncio.ensure_future(self.engine.call(slot, job, timeout))
        # the slot goes back to the queue only once its call is done, even when the client went
        # away and this coroutine was cancelled (the worker still answers on that connection)
        task.add_done_callback(lambda _: idle.put_nowait(slot))
        return await asyncio.shield(task)

    def close(self) -> None:
        self.engine.stop()
