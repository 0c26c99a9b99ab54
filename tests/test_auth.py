"""Authenticated callers (issue 13): mutual TLS and a bearer token, through a real server.

Certificates are made here with ``cryptography`` (a CA, a server certificate for
127.0.0.1, a client certificate from the CA and one from a stranger CA).
Invariants: with a client CA the server talks only to clients holding a
certificate that CA signed; with a token every call but health needs it and
ends UNAUTHENTICATED without it; the typed client and ``batch --server`` (flags
and ``NAMEBRIDGE_*`` variables) can carry both.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import polars as pl
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health_pb2, health_pb2_grpc

from namebridge.api.client import NamebridgeClient, RemoteError, tls_credentials
from namebridge.api.server import Service, build_service, server_credentials
from namebridge.v1 import resolver_pb2 as pb
from namebridge.v1 import resolver_pb2_grpc as pb_grpc
from tests.test_batch_cli import NAMEBRIDGE

TOKEN = "s3cret-token-for-tests"


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
          *, ca: bool = False, server: bool = False) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    issuer_name, signer = (name, key) if issuer is None else (issuer[0].subject, issuer[1])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
    return builder.sign(signer, hashes.SHA256())


@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    stranger_cert: Path
    stranger_key: Path


def _write(path: Path, cert: x509.Certificate | None = None, key: ec.EllipticCurvePrivateKey | None = None) -> Path:
    if cert is not None:
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    else:
        assert key is not None
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    d = tmp_path_factory.mktemp("pki")
    ca_key, other_ca_key = _key(), _key()
    ca = _cert("namebridge test CA", ca_key, None, ca=True)
    other_ca = _cert("stranger CA", other_ca_key, None, ca=True)
    server_key, client_key, stranger_key = _key(), _key(), _key()
    return Pki(
        ca=_write(d / "ca.pem", ca),
        server_cert=_write(d / "server.pem", _cert("127.0.0.1", server_key, (ca, ca_key), server=True)),
        server_key=_write(d / "server.key", key=server_key),
        client_cert=_write(d / "client.pem", _cert("pipeline", client_key, (ca, ca_key))),
        client_key=_write(d / "client.key", key=client_key),
        stranger_cert=_write(d / "stranger.pem", _cert("stranger", stranger_key, (other_ca, other_ca_key))),
        stranger_key=_write(d / "stranger.key", key=stranger_key),
    )


@pytest.fixture(scope="module")
def mtls_service(engine, pki: Pki) -> Iterator[Service]:
    creds = server_credentials(pki.server_cert, pki.server_key, client_ca=pki.ca)
    service = build_service("127.0.0.1:0", engine=engine, credentials=creds)
    yield service
    service.stop(0).wait(10)


@pytest.fixture(scope="module")
def token_service(engine) -> Iterator[Service]:
    service = build_service("127.0.0.1:0", engine=engine, auth_token=TOKEN)
    yield service
    service.stop(0).wait(10)


# --- mutual TLS --------------------------------------------------------------------


def test_mtls_client_with_a_certificate_of_the_ca_is_served(mtls_service: Service, pki: Pki) -> None:
    creds = tls_credentials(ca=pki.ca, cert=pki.client_cert, key=pki.client_key)
    with NamebridgeClient(f"127.0.0.1:{mtls_service.port}", credentials=creds, timeout=10) as client:
        assert client.resolve("Israel").decision.value == "MATCH"
        assert [r.error for r in client.resolve_stream(["Israel", ["Astana"]])] == [None, None]


@pytest.mark.parametrize("who", ["no certificate", "stranger's certificate", "plaintext"])
def test_mtls_refuses_clients_without_a_certificate_of_the_ca(mtls_service: Service, pki: Pki, who: str) -> None:
    target = f"127.0.0.1:{mtls_service.port}"
    if who == "plaintext":
        client = NamebridgeClient(target, timeout=5)
    elif who == "no certificate":
        client = NamebridgeClient(target, credentials=tls_credentials(ca=pki.ca), timeout=5)
    else:
        client = NamebridgeClient(target, timeout=5, credentials=tls_credentials(
            ca=pki.ca, cert=pki.stranger_cert, key=pki.stranger_key))
    with client, pytest.raises(RemoteError) as caught:
        client.resolve("Israel")
    assert caught.value.code is grpc.StatusCode.UNAVAILABLE


# --- bearer token ------------------------------------------------------------------


def test_token_is_required_on_every_rpc_but_health(token_service: Service) -> None:
    target = f"127.0.0.1:{token_service.port}"
    with grpc.insecure_channel(target) as channel:
        stub = pb_grpc.EntityResolverServiceStub(channel)
        calls = {
            "Resolve": lambda md: stub.Resolve(pb.ResolveRequest(name="Israel"), timeout=10, metadata=md),
            "BatchResolve": lambda md: stub.BatchResolve(pb.BatchResolveRequest(names=["Israel"]), timeout=10,
                                                         metadata=md),
            "ResolveStream": lambda md: list(stub.ResolveStream(
                iter([pb.ResolveStreamRequest(name="Israel")]), timeout=10, metadata=md)),
            "Transliterate": lambda md: stub.Transliterate(pb.TransliterateRequest(text="Астана"), timeout=10,
                                                           metadata=md),
            "GetEntity": lambda md: stub.GetEntity(pb.GetEntityRequest(entity_id="country:kz"), timeout=10,
                                                   metadata=md),
            "GetLexiconInfo": lambda md: stub.GetLexiconInfo(pb.GetLexiconInfoRequest(), timeout=10, metadata=md),
        }
        for method, call in calls.items():
            for metadata in ((), (("authorization", "Bearer wrong"),), (("authorization", TOKEN),)):
                with pytest.raises(grpc.RpcError) as caught:
                    call(metadata)
                assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED, (method, metadata)
            assert call((("authorization", f"Bearer {TOKEN}"),)) is not None, method
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert health.status == health_pb2.HealthCheckResponse.SERVING


def test_typed_client_carries_the_token(token_service: Service) -> None:
    target = f"127.0.0.1:{token_service.port}"
    with NamebridgeClient(target, token=TOKEN, timeout=10) as client:
        assert client.lexicon_info().entity_count > 0
        assert [r.error for r in client.resolve_stream(["Israel"])] == [None]
    with NamebridgeClient(target, timeout=10) as client, pytest.raises(RemoteError) as caught:
        client.resolve("Israel")
    assert caught.value.code is grpc.StatusCode.UNAUTHENTICATED


def test_batch_server_mode_passes_token_and_client_certificate(engine, pki: Pki, tmp_path: Path) -> None:
    """Both at once, one by flags and one by NAMEBRIDGE_* variables."""
    creds = server_credentials(pki.server_cert, pki.server_key, client_ca=pki.ca)
    service = build_service("127.0.0.1:0", engine=engine, credentials=creds, auth_token=TOKEN)
    try:
        src = tmp_path / "in.txt"
        src.write_text("Israel\nAstana\n", encoding="utf-8")
        token_file = tmp_path / "token"
        token_file.write_text(TOKEN + "\n", encoding="utf-8")
        out = tmp_path / "out.csv"
        base = [NAMEBRIDGE, "batch", str(src), "-o", str(out), "--server", f"127.0.0.1:{service.port}"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("NAMEBRIDGE_")}
        without = subprocess.run([*base, "--server-ca", str(pki.ca), "--client-cert", str(pki.client_cert),
                                  "--client-key", str(pki.client_key)], capture_output=True, timeout=120, env=env)
        assert without.returncode == 2 and b"UNAUTHENTICATED" in without.stderr, without.stderr
        env.update(NAMEBRIDGE_AUTH_TOKEN_FILE=str(token_file), NAMEBRIDGE_SERVER_CA=str(pki.ca))
        done = subprocess.run([*base, "--client-cert", str(pki.client_cert), "--client-key", str(pki.client_key)],
                              capture_output=True, timeout=120, env=env)
        assert done.returncode == 0, done.stderr.decode()
        assert pl.read_csv(out)["decision"].to_list() == ["MATCH", "MATCH"]
    finally:
        service.stop(0).wait(10)


def test_serve_refuses_a_client_ca_without_a_certificate(tmp_path: Path, pki: Pki) -> None:
    done = subprocess.run([NAMEBRIDGE, "serve", "--port", "0", "--tls-client-ca", str(pki.ca)],
                          capture_output=True, timeout=60)
    assert done.returncode == 2 and b"--tls-cert" in done.stderr
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    done = subprocess.run([NAMEBRIDGE, "serve", "--port", "0"], capture_output=True, timeout=60,
                          env={**os.environ, "NAMEBRIDGE_AUTH_TOKEN_FILE": str(empty)})
    assert done.returncode == 2 and b"empty" in done.stderr
