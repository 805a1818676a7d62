"""The uvicorn server a serving process runs (supervisor.py forks it): it says when it is ready, and
retires when the supervisor asks (SIGUSR1), at its next tick, in the event loop."""

from __future__ import annotations

import uvicorn

from .sparql.engine import RETIRED_SIGNAL


class ServingServer(uvicorn.Server):
    """uvicorn's server, told to retire by SIGUSR1; the retirement runs in the event loop, at a tick."""

    retire = None  # set by Supervisor._serve
    ready = None  # the supervisor's shared flag, set once listening
    retirement_requested = False

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        if self.ready is not None and self.started:
            self.ready.value = 1

    def request_retirement(self, signum, frame) -> None:
        self.retirement_requested = True

    async def on_tick(self, counter: int) -> bool:
        if self.retirement_requested and self.retire is not None:
            self.retirement_requested = False
            self.retire(RETIRED_SIGNAL)
        return await super().on_tick(counter)
