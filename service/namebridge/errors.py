"""One error hierarchy for the engine, the request validator and the lexicon loader.

Each error carries the gRPC status it maps to; ``server.py`` is the one place
that turns it into a status with a ``google.rpc.BadRequest`` detail.
"""

from __future__ import annotations

from dataclasses import dataclass


#: exit codes of the command line (``cli.py`` and ``namebridge batch`` return them):
#: done ...
EXIT_OK = 0
#: ... done, but ``batch --strict`` found INVALID rows ...
EXIT_INVALID_ROWS = 1
#: ... a usage or input error, found before any work starts, or a run that cannot finish
EXIT_USAGE = 2
#: ... stopped by a signal: 128 + its number (130 Ctrl-C/SIGINT, 143 SIGTERM), as shells report it
EXIT_SIGNAL_BASE = 128


class NamebridgeError(Exception):
    """Base class; ``grpc_code`` names a ``grpc.StatusCode`` member."""

    grpc_code = "INTERNAL"


class InvalidArgument(NamebridgeError):
    """A request field is unusable (empty name, too long, unknown type...)."""

    grpc_code = "INVALID_ARGUMENT"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(NamebridgeError):
    """A requested object (an entity ID) does not exist."""

    grpc_code = "NOT_FOUND"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a data file, reported as ``path:line: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class DataFileError(NamebridgeError):
    """One or more data files under ``lexicons/`` are invalid; all problems at once."""

    grpc_code = "FAILED_PRECONDITION"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        shown = "\n".join(str(p) for p in self.problems[:50])
        more = len(self.problems) - 50
        if more > 0:
            shown += f"\n... and {more} more"
        super().__init__(f"{len(self.problems)} problem(s) in data files:\n{shown}")
