"""Resolving batch names on a running server over ``ResolveStream``.

The distinct names of a chunk go out as batches on one stream per language
hint (a stream message carries one language); answers come back in order.
A batch the server refuses (one empty or too long name refuses its whole
message) is sent again name by name, so only the bad names become INVALID, with
the server's ``field: message``, the same text the engine gives in-process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from namebridge.batch.formats import BatchInputError
from namebridge.batch.rows import NULL_NAME, Key, Row, candidates_asked, invalid_row, row_from_resolution
from namebridge.errors import NamebridgeError

#: names per stream message (the server accepts up to its max_batch_names)
BATCH_NAMES = 500


class ServerResolver:
    """A :class:`namebridge.batch.runner.Resolver` backed by ``namebridge.api.client``."""

    def __init__(self, address: str, *, top_k: int | None, timeout: float = 600.0,
                 server_ca: Path | None = None, client_cert: Path | None = None,
                 client_key: Path | None = None, auth_token_file: Path | None = None) -> None:
        from namebridge.api.client import NamebridgeClient, RemoteError, read_token_file, tls_credentials

        self.address = address
        self.top_k = top_k
        try:
            credentials = (tls_credentials(ca=server_ca, cert=client_cert, key=client_key)
                           if server_ca or client_cert or client_key else None)
            token = read_token_file(auth_token_file) if auth_token_file else None
        except ValueError as exc:
            raise BatchInputError(str(exc), fix="pass --client-cert with --client-key, and readable "
                                                "PEM and token files") from None
        self.client = NamebridgeClient(address, timeout=timeout, credentials=credentials, token=token)
        try:
            # fails at once with UNAVAILABLE when nothing listens (no wait_for_ready)
            info = self.client.lexicon_info(timeout=10.0)
        except (RemoteError, NamebridgeError) as exc:
            self.client.close()
            raise BatchInputError(f"cannot reach a namebridge server at {address}: {exc}",
                                  fix="start one with `namebridge serve`, or check --server HOST:PORT") from None
        self.batch_names = max(1, min(BATCH_NAMES, info.max_batch_names or BATCH_NAMES))
        limit = int(info.settings.get("max_candidates_limit", "0") or 0)
        if top_k is not None and limit and top_k > limit:
            self.client.close()
            raise BatchInputError(f"--top-k {top_k} is above the server's limit of {limit}",
                                  fix=f"pass --top-k between 1 and {limit}")

    def submit(self, keys: Sequence[Key]) -> Callable[[], list[Row]]:
        keys = list(keys)
        return lambda: self.resolve(keys)

    def resolve(self, keys: Sequence[Key]) -> list[Row]:
        out: list[Row | None] = [None] * len(keys)
        by_language: dict[str | None, list[int]] = {}
        for i, (name, language) in enumerate(keys):
            if name is None:
                out[i] = invalid_row(NULL_NAME)
            else:
                by_language.setdefault(language, []).append(i)
        from namebridge.api.client import RemoteError

        try:
            for language, positions in by_language.items():
                self._resolve_language(keys, positions, language, out)
        except RemoteError as exc:
            raise BatchInputError(f"the server at {self.address} failed during the run: {exc}",
                                  fix="check the server (its log, `namebridge serve`), then run again") from None
        return out  # type: ignore[return-value]

    def _resolve_language(self, keys: Sequence[Key], positions: list[int], language: str | None,
                          out: list[Row | None]) -> None:
        batches = [positions[i:i + self.batch_names] for i in range(0, len(positions), self.batch_names)]
        requests = [[keys[p][0] for p in batch] for batch in batches]
        refused: list[int] = []
        asked = candidates_asked(self.top_k)
        # a row needs the verdict only: the BASIC view (no explanations built or sent)
        results = self.client.resolve_stream(requests, language=language, max_candidates=asked, view="basic")
        for batch, result in zip(batches, results):
            if result.error is not None:
                refused.extend(batch)
                continue
            for p, res in zip(batch, result.resolutions):
                out[p] = row_from_resolution(res, self.top_k)
        if refused:
            # one name per message: only the names the server refuses become INVALID
            singles = self.client.resolve_stream([keys[p][0] for p in refused], language=language,
                                                 max_candidates=asked, view="basic")
            for p, result in zip(refused, singles):
                if result.error is not None:
                    out[p] = invalid_row(str(result.error))
                else:
                    out[p] = row_from_resolution(result.resolutions[0], self.top_k)

    def close(self) -> None:
        self.client.close()
