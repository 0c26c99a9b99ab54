"""The gRPC server: a factory built for tests, and ``serve`` for operators.

``create_server("127.0.0.1:0", engine=...)`` registers the resolver, health
(``grpc.health.v1``, SERVING) and reflection, starts, and returns
``(server, port)``; tests talk to that real port. ``serve(config)`` loads the
engine once, then either serves in this process or forks ``workers`` processes
that share the port with ``SO_REUSEPORT`` (forked before any gRPC object
exists; the loaded engine is shared copy-on-write). SIGTERM and SIGINT stop
accepting calls, let calls in flight finish within ``grace`` seconds, and exit 0.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from namebridge.api.auth import TokenInterceptor, read_token_file
from namebridge.api.fairness import BatchGate, default_batch_calls
from namebridge.api.logs import AccessLog
from namebridge.api.metrics import Metrics
from namebridge.api.servicer import SERVICE_NAME, EntityResolverServicer, method_handlers
from namebridge.settings import Settings

if TYPE_CHECKING:
    from namebridge.matching.engine import Engine

log = logging.getLogger("namebridge.server")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50051
#: largest request message accepted; a full batch (10 000 names of up to 256
#: characters, 4 UTF-8 bytes each) is about 10 MiB
DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024
#: threads per process: enough for many calls in flight and long-lived streams
#: (each holds a thread); the GIL, not this number, bounds the CPU one process uses
DEFAULT_THREADS = 32
DEFAULT_GRACE_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class ServeConfig:
    """What ``namebridge serve`` was asked for (flags or ``NAMEBRIDGE_*`` variables)."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    lexicon_dir: Path | None = None
    workers: int = 1
    threads: int = DEFAULT_THREADS
    tls_cert: Path | None = None
    tls_key: Path | None = None
    #: PEM CA bundle: with it, every client must present a certificate it signed (mutual TLS)
    tls_client_ca: Path | None = None
    #: file holding the bearer token every call but health must carry
    auth_token_file: Path | None = None
    log_level: str = "INFO"
    log_names: bool = False
    metrics_port: int | None = None
    grace: float = DEFAULT_GRACE_SECONDS
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    #: BatchResolve calls admitted at once per process (None: a quarter of the threads)
    batch_calls: int | None = None


@dataclass(slots=True)
class Service:
    """A running server and the parts ``serve`` and tests reach for."""

    server: grpc.Server
    port: int
    servicer: EntityResolverServicer
    health: health.HealthServicer
    metrics: Metrics = field(default_factory=Metrics)

    def stop(self, grace: float | None = None) -> threading.Event:
        """Report NOT_SERVING, refuse new calls, finish calls in flight within ``grace``."""
        self.health.enter_graceful_shutdown()
        return self.server.stop(grace)


def server_credentials(cert: Path, key: Path, client_ca: Path | None = None) -> grpc.ServerCredentials:
    """TLS credentials from PEM files; with ``client_ca``, mutual TLS: a client must
    present a certificate signed by that CA, or the handshake fails."""
    return grpc.ssl_server_credentials(
        [(Path(key).read_bytes(), Path(cert).read_bytes())],
        root_certificates=None if client_ca is None else Path(client_ca).read_bytes(),
        require_client_auth=client_ca is not None)


def build_service(address: str = "127.0.0.1:0", *, engine: "Engine | None" = None,
                  settings: Settings | None = None, threads: int = DEFAULT_THREADS,
                  max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
                  credentials: grpc.ServerCredentials | None = None,
                  metrics: Metrics | None = None, access_log: AccessLog | None = None,
                  reuse_port: bool = False, auth_token: str | None = None,
                  batch_calls: int | None = None) -> Service:
    """Create, register, bind and start a server; see ``create_server``."""
    if engine is None:
        from namebridge.matching.engine import Engine
        engine = Engine.load(None if settings is None else settings.lexicon_dir, settings=settings)
    metrics = metrics or Metrics()
    gate = BatchGate(calls=batch_calls or default_batch_calls(threads))
    servicer = EntityResolverServicer(engine, metrics=metrics, access_log=access_log,
                                      max_message_bytes=max_message_bytes, batch_gate=gate)
    options = [
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.max_send_message_length", -1),
        # gRPC turns SO_REUSEPORT on by default on Linux, which would let a second
        # server silently share a busy port; only --workers wants it
        ("grpc.so_reuseport", 1 if reuse_port else 0),
    ]
    interceptors = [TokenInterceptor(auth_token)] if auth_token else []
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=threads,
                                                    thread_name_prefix="namebridge-rpc"),
                         options=options, interceptors=interceptors)
    handlers = method_handlers(servicer)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, handlers),))
    server.add_registered_method_handlers(SERVICE_NAME, handlers)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
         reflection.SERVICE_NAME), server)
    try:
        if credentials is None:
            port = server.add_insecure_port(address)
        else:
            port = server.add_secure_port(address, credentials)
    except RuntimeError as exc:  # grpc raises on a failed bind
        raise OSError(f"cannot listen on {address}: {exc}") from exc
    if port == 0:
        raise OSError(f"cannot listen on {address} (in use, or not an address of this host?)")
    server.start()
    for service_name in ("", SERVICE_NAME):
        health_servicer.set(service_name, health_pb2.HealthCheckResponse.SERVING)
    return Service(server=server, port=port, servicer=servicer, health=health_servicer,
                   metrics=metrics)


def create_server(address: str = "127.0.0.1:0", *, engine: "Engine | None" = None,
                  settings: Settings | None = None, **kwargs: Any) -> tuple[grpc.Server, int]:
    """A started server on ``address`` (port 0 picks a free one): ``(server, port)``.

    Registers the resolver, health (SERVING) and reflection. ``engine`` defaults
    to ``Engine.load`` of the bundled lexicon (or ``settings.lexicon_dir``).
    Keyword arguments: ``threads``, ``max_message_bytes``, ``credentials``
    (``server_credentials``: TLS, mutual with a client CA), ``auth_token`` (every
    call but health needs ``authorization: Bearer <token>``), ``batch_calls``
    (BatchResolve calls admitted at once; default a quarter of the threads),
    ``metrics``, ``access_log``, ``reuse_port``.
    """
    service = build_service(address, engine=engine, settings=settings, **kwargs)
    return service.server, service.port


# --- serve: signals, workers ------------------------------------------------------

def serve(config: ServeConfig, *, engine: "Engine | None" = None) -> int:
    """Serve until SIGTERM/SIGINT; return the exit code (0 after a graceful stop)."""
    check_security(config)                    # before the (slower) lexicon load
    if engine is None:
        from namebridge.matching.engine import Engine
        engine = Engine.from_env(config.lexicon_dir)
    if config.workers <= 1:
        return _serve_process(engine, config, worker=0, reuse_port=False)
    with _reserved_port(config.host, config.port) as port:
        return _serve_workers(engine, replace(config, port=port))


def check_security(config: ServeConfig) -> None:
    """``ValueError`` naming the flag for TLS and token settings that cannot work."""
    if config.tls_cert or config.tls_key or config.tls_client_ca:
        if not (config.tls_cert and config.tls_key):
            raise ValueError("TLS needs both --tls-cert and --tls-key"
                             + (" (--tls-client-ca is mutual TLS)" if config.tls_client_ca else ""))
        for path in (config.tls_cert, config.tls_key, config.tls_client_ca):
            if path is not None and not Path(path).is_file():
                raise ValueError(f"TLS file not found: {path}")
    if config.auth_token_file is not None:
        read_token_file(config.auth_token_file)


def _serve_process(engine: "Engine", config: ServeConfig, *, worker: int, reuse_port: bool) -> int:
    """One server process: serve until a signal, then stop gracefully."""
    credentials = (server_credentials(config.tls_cert, config.tls_key, config.tls_client_ca)
                   if config.tls_cert and config.tls_key else None)
    token = read_token_file(config.auth_token_file) if config.auth_token_file else None
    service = build_service(f"{_host_for_address(config.host)}:{config.port}", engine=engine,
                            threads=config.threads, max_message_bytes=config.max_message_bytes,
                            credentials=credentials, access_log=AccessLog(log_names=config.log_names),
                            reuse_port=reuse_port, auth_token=token, batch_calls=config.batch_calls)
    if config.metrics_port is not None:
        service.metrics.serve_http(config.metrics_port + worker, host=config.host)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        if stopping.is_set():
            return
        stopping.set()
        log.info("stopping", extra={"signal": signal.Signals(signum).name, "grace_s": config.grace,
                                    "worker": worker, "pid": os.getpid()})
        service.stop(config.grace)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    info = service.servicer._info
    log.info("serving", extra={
        "address": f"{config.host}:{service.port}", "worker": worker, "pid": os.getpid(),
        "tls": credentials is not None, "client_certificates": config.tls_client_ca is not None,
        "token": token is not None, "lexicon_version": info.version,
        "entities": info.entity_count, "aliases": info.alias_count,
        "metrics_port": None if config.metrics_port is None else config.metrics_port + worker,
    })
    service.server.wait_for_termination()
    _ignore_further_signals()
    log.info("stopped", extra={"worker": worker, "pid": os.getpid()})
    return 0


def _ignore_further_signals() -> None:
    """Stopped: a repeated SIGTERM must not turn a clean exit into death by signal
    (Python restores the default handlers while it shuts down; it leaves SIG_IGN)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _host_for_address(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@contextlib.contextmanager
def _reserved_port(host: str, port: int) -> Iterator[int]:
    """Hold ``host:port`` (port 0: a free one) with SO_REUSEPORT while workers bind it.

    The socket is bound but never listens, so it receives no connections.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
        yield sock.getsockname()[1]
    finally:
        sock.close()


def _serve_workers(engine: "Engine", config: ServeConfig) -> int:
    """Fork ``config.workers`` server processes on one port; forward signals; reap.

    Returns 0 when every worker stopped cleanly, 1 otherwise.
    """
    parent = os.getpid()
    children: dict[int, int] = {}
    stopping = threading.Event()

    def forward(signum: int, _frame: Any) -> None:
        if os.getpid() != parent:     # a signal in a fresh child, before its own handlers
            os._exit(0)
        stopping.set()
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for worker in range(config.workers):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _serve_process(engine, config, worker=worker, reuse_port=True)
            except BaseException:
                log.exception("worker failed", extra={"worker": worker})
            finally:
                logging.shutdown()
                os._exit(code)
        children[pid] = worker
    log.info("workers started", extra={"address": f"{config.host}:{config.port}",
                                       "workers": config.workers, "pids": sorted(children)})
    failed = False
    while children:
        pid, status = os.waitpid(-1, 0)
        worker = children.pop(pid, None)
        if worker is None:
            continue
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            failed = True
            log.warning("worker exited", extra={"worker": worker, "pid": pid, "exit_code": code})
            if not stopping.is_set():    # one worker down: take the rest down too, loudly
                forward(signal.SIGTERM, None)
    _ignore_further_signals()
    return 1 if failed else 0
