"""What one batch may take from a server process, so single names and streams still get answers.

Resolution is CPU work under one GIL per process: every thread that resolves
takes an equal share of it. Left alone, a few large ``BatchResolve`` calls would
hold most threads of the pool and most of the CPU while a one-name call waits.
The gate bounds both:

- **calls**: at most ``calls`` ``BatchResolve`` calls in flight per process
  (default a quarter of the threads); one more is refused at once with
  RESOURCE_EXHAUSTED ("retry"), so batches never occupy the threads that
  single-name calls and streams need;
- **turns**: batches (``BatchResolve`` and a stream's batch messages) resolve
  ``slice_names`` names per turn, and only ``turns`` batch slices run at once
  (default one) across the process. A batch waiting for its turn sleeps on a
  lock and takes no CPU, so a single-name call competes with at most one batch
  slice, whatever the number of batches.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from namebridge.errors import NamebridgeError

#: names one batch resolves per turn before letting other batches have theirs
DEFAULT_SLICE_NAMES = 32
#: batch slices resolving at once in one process (the GIL makes more useless)
DEFAULT_BATCH_TURNS = 1


class Busy(NamebridgeError):
    """The server already runs as many batch calls as it admits; retry later."""

    grpc_code = "RESOURCE_EXHAUSTED"


class BatchGate:
    """Admission of batch calls and turns of batch work (thread-safe)."""

    def __init__(self, *, calls: int, turns: int = DEFAULT_BATCH_TURNS,
                 slice_names: int = DEFAULT_SLICE_NAMES) -> None:
        if calls < 1 or turns < 1 or slice_names < 1:
            raise ValueError("batch calls, turns and slice size must be at least 1")
        self.calls = calls
        self.slice_names = slice_names
        self._admitted = threading.BoundedSemaphore(calls)
        self._turns = threading.BoundedSemaphore(turns)

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """Hold one of the ``calls`` places for a BatchResolve call, or raise :class:`Busy`."""
        if not self._admitted.acquire(blocking=False):
            raise Busy(f"{self.calls} batch calls are already running on this server process; "
                       "retry shortly, or send names over ResolveStream")
        try:
            yield
        finally:
            self._admitted.release()

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold a turn of batch work (blocks, without using CPU, while others have theirs)."""
        with self._turns:
            yield


def default_batch_calls(threads: int) -> int:
    """A quarter of the threads (at least one): the rest stay free for other calls."""
    return max(1, threads // 4)
