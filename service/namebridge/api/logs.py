"""Structured logs: one JSON object per line, one line per finished gRPC call.

Access lines go to the ``namebridge.access`` logger at INFO with ``method``,
``code``, ``latency_ms``, ``names`` (how many names the call resolved) and,
for calls that stopped early, ``requested``. Name text is never logged unless
asked: with ``log_names`` (``--log-names``) the access line also carries
``texts``, the first ``MAX_LOGGED_TEXTS`` names of the call, for an operator
chasing one query.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

ACCESS_LOGGER = "namebridge.access"
#: names logged per call with ``log_names`` (a batch logs its first ones)
MAX_LOGGED_TEXTS = 20

#: attributes every LogRecord has; anything else passed in ``extra`` is a field
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON line: time, level, logger, message, then fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                  + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "INFO", stream: Any = None) -> None:
    """Send every ``namebridge`` log record to ``stream`` (stderr) as JSON lines."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r} (use DEBUG, INFO, WARNING or ERROR)")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("namebridge")
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    root.propagate = False


#: status codes that mean the server, not the caller, went wrong
_SERVER_FAULTS = frozenset({"INTERNAL", "UNKNOWN", "UNAVAILABLE", "FAILED_PRECONDITION", "DATA_LOSS"})


class AccessLog:
    """Writes the per-call lines; ``log_names`` adds the name text."""

    def __init__(self, *, log_names: bool = False) -> None:
        self.logger = logging.getLogger(ACCESS_LOGGER)
        self.log_names = log_names

    def call(self, method: str, code: str, seconds: float, *, names: int = 0,
             requested: int | None = None, peer: str = "", texts: list[str] | None = None) -> None:
        fields: dict[str, Any] = {
            "method": method, "code": code, "latency_ms": round(seconds * 1000.0, 3), "names": names,
        }
        if requested is not None and requested != names:
            fields["requested"] = requested
        if peer:
            fields["peer"] = peer
        if self.log_names and texts is not None:
            fields["texts"] = texts[:MAX_LOGGED_TEXTS]
        level = logging.WARNING if code in _SERVER_FAULTS else logging.INFO
        self.logger.log(level, "call", extra=fields)
