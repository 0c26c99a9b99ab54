"""A progress bar on stderr when it is a terminal, silence otherwise.

The bar follows bytes read (the one measure known before the end, so the ETA is
honest for any format); rows done and rows/s are shown beside it. On a pipe or
with ``--quiet`` every method is a no-op, so callers never test for it.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import TextIO


class BatchProgress:
    """``update(rows=, bytes_done=)`` after each chunk; ``print()`` above the bar."""

    def __init__(self, *, total_bytes: int | None, enabled: bool, stream: TextIO) -> None:
        self.enabled = enabled
        self.stream = stream
        self._started = time.perf_counter()
        self._progress = None
        self._task = None
        if enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            console = Console(file=stream, force_terminal=True)
            self._progress = Progress(
                TextColumn("[bold]batch[/]"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rows]:>12,} rows"),
                TextColumn("{task.fields[rate]:>10,.0f} rows/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            )
            self._task = self._progress.add_task("batch", total=total_bytes, rows=0, rate=0.0)

    def __enter__(self) -> "BatchProgress":
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, *, rows: int, bytes_done: int) -> None:
        if self._progress is None:
            return
        elapsed = max(time.perf_counter() - self._started, 1e-9)
        self._progress.update(self._task, completed=bytes_done, rows=rows, rate=rows / elapsed)

    def print(self, message: str) -> None:
        """A line above the bar (or plainly on the stream when there is no bar)."""
        if self._progress is not None:
            self._progress.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=self.stream)
