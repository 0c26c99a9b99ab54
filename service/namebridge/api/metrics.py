"""Prometheus metrics for the gRPC server: one ``Metrics`` object per server.

Each server gets its own ``CollectorRegistry`` so tests can run several
servers in one process and read each one's figures; ``serve`` exposes it on
an optional HTTP port (``--metrics-port``; with ``--workers N`` worker ``i``
uses ``port + i``, since each process counts only its own calls).

Series:
- ``namebridge_requests_total{method,code}``: finished calls per gRPC status;
- ``namebridge_request_latency_seconds{method,code}``: call latency histogram;
- ``namebridge_names_total{method}``: names resolved (a batch counts each name);
- ``namebridge_lexicon_entities`` / ``namebridge_lexicon_aliases``: lexicon size;
- ``namebridge_lexicon_info{version}``: 1, labelled with the lexicon hash.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import start_http_server

#: latency buckets in seconds: a single name takes around a millisecond, a
#: 10 000-name batch several seconds
LATENCY_BUCKETS: tuple[float, ...] = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
)


class Metrics:
    """The server's counters, histograms and gauges, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "namebridge_requests", "Finished gRPC calls by method and status code.",
            ("method", "code"), registry=self.registry)
        self.latency = Histogram(
            "namebridge_request_latency_seconds", "gRPC call latency by method and status code.",
            ("method", "code"), buckets=LATENCY_BUCKETS, registry=self.registry)
        self.names = Counter(
            "namebridge_names", "Names resolved, by method (a batch counts each name).",
            ("method",), registry=self.registry)
        self.lexicon_entities = Gauge(
            "namebridge_lexicon_entities", "Entities in the loaded lexicon.", registry=self.registry)
        self.lexicon_aliases = Gauge(
            "namebridge_lexicon_aliases", "Aliases in the loaded lexicon.", registry=self.registry)
        self.lexicon_info = Gauge(
            "namebridge_lexicon_info", "Always 1; the label carries the lexicon version hash.",
            ("version",), registry=self.registry)

    def set_lexicon(self, *, version: str, entities: int, aliases: int) -> None:
        """Record what the server has loaded."""
        self.lexicon_entities.set(entities)
        self.lexicon_aliases.set(aliases)
        self.lexicon_info.labels(version=version).set(1)

    def observe(self, method: str, code: str, seconds: float, names: int = 0) -> None:
        """Record one finished call."""
        self.requests.labels(method=method, code=code).inc()
        self.latency.labels(method=method, code=code).observe(seconds)
        if names:
            self.names.labels(method=method).inc(names)

    def exposition(self) -> bytes:
        """The text format a Prometheus scrape would read."""
        return generate_latest(self.registry)

    def serve_http(self, port: int, host: str = "127.0.0.1") -> Any:
        """Serve ``/metrics`` on ``host:port`` from a daemon thread; return the
        HTTP server (call ``shutdown()`` on it to stop)."""
        httpd, _thread = start_http_server(port, addr=host, registry=self.registry)
        return httpd
