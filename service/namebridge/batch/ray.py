"""Batch on Ray: ``namebridge batch --engine ray`` and ``resolve_dataset`` for pipelines already on Ray.

Ray is an optional extra (``pip install 'namebridge[ray]'``). Two ways in:

- ``namebridge batch FILE --engine ray [--address HOST:PORT]``: the same run
  as in-process (``runner.py``: chunks read and written in order, distinct
  names resolved once, the exact-name table, INVALID marking), but the
  distinct names of each chunk are resolved by a pool of Ray actors, each of
  which loads the lexicon once (a compiled ``lexicon.nbx`` loads in seconds).
  Same columns, same row order, same answers as ``--jobs N``.
- ``resolve_dataset(ds, column="name", lexicon="lexicon.nbx")``: a Ray
  Dataset in, the same Dataset with the result columns added out, resolved
  with ``map_batches`` over an actor pool.

Without ``--address`` (or ``RAY_ADDRESS``) Ray starts a local cluster on
127.0.0.1 with ``--jobs`` CPUs, and Ray's usage statistics are off unless
``RAY_USAGE_STATS_ENABLED`` says otherwise: a local run reaches no other host.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from namebridge.batch.formats import BatchInputError
from namebridge.batch.rows import Key, Row, resolve_key

#: names per piece of work sent to one actor at most
PIECE_NAMES = 500


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise BatchInputError("--engine ray needs Ray, which is not installed",
                              fix="pip install 'namebridge[ray]'") from None
    return ray


def start_ray(address: str | None, cpus: int) -> bool:
    """Connect to ``address`` or start a local cluster; True if this call started it."""
    ray = _ray()
    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    return True


class KeyResolver:
    """One engine, loaded once: resolves (name, language) pairs to batch rows.
    Runs as a Ray actor (``RayResolver``) and as a ``map_batches`` class (``resolve_dataset``)."""

    def __init__(self, lexicon: str | None, top_k: int | None, column: str = "name",
                 lang_column: str | None = None) -> None:
        from namebridge.matching.engine import Engine

        self.engine = Engine.from_env(lexicon)
        self.top_k = top_k
        self.column = column
        self.lang_column = lang_column

    def resolve(self, keys: Sequence[Key]) -> list[Row]:
        return [resolve_key(self.engine, name, language, self.top_k) for name, language in keys]

    def __call__(self, table: Any) -> Any:
        """A pyarrow table in, the same table with the result columns added out."""
        import polars as pl

        from namebridge.batch.runner import _EXACT, _LANG_KEY, _NAME_KEY, _results_frame, _text_column

        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        names = _text_column(frame, self.column, numbers_as_text=True, flag="column").to_list()
        langs = _text_column(frame, self.lang_column, numbers_as_text=True, flag="lang_column").str.strip_chars().to_list()
        keys = [(n, lang or None) for n, lang in zip(names, langs)]
        distinct = list(dict.fromkeys(keys))
        answers = dict(zip(distinct, self.resolve(distinct)))
        results = _results_frame(keys, [answers[k] for k in keys], top_k=self.top_k, candidates_as_json=False)
        return frame.hstack(results.drop(_NAME_KEY, _LANG_KEY, _EXACT)).to_arrow()


class RayResolver:
    """A :class:`namebridge.batch.rows.Resolver` whose work runs on Ray actors."""

    def __init__(self, lexicon: str | None, *, top_k: int | None, actors: int, address: str | None) -> None:
        self.started = start_ray(address, actors)
        ray = _ray()
        self.ray = ray
        remote = ray.remote(num_cpus=1)(KeyResolver)
        self.actors = [remote.remote(lexicon, top_k) for _ in range(actors)]
        self.exact = None           # the exact-name table needs an engine here: the actors answer every name
        try:
            ray.get([a.resolve.remote([]) for a in self.actors])     # loaded, or the error now
        except Exception as exc:    # noqa: BLE001 - a Ray task error wraps the loader's message
            self.close()
            raise BatchInputError(f"the Ray actors could not load the lexicon: {exc}",
                                  fix="check --lexicon (a directory or a .nbx file every node can read)") from None

    def submit(self, keys: Sequence[Key]) -> Callable[[], list[Row]]:
        keys = list(keys)
        size = max(16, min(PIECE_NAMES, -(-len(keys) // (len(self.actors) * 4)))) if keys else 1
        refs = [self.actors[n % len(self.actors)].resolve.remote(keys[i:i + size])
                for n, i in enumerate(range(0, len(keys), size))]

        def wait() -> list[Row]:
            out: list[Row] = []
            for piece in self.ray.get(refs):
                out.extend(piece)
            return out

        return wait

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors = []
        if self.started:
            self.ray.shutdown()
            self.started = False


def resolve_dataset(ds: Any, *, column: str = "name", lexicon: str | None = None, lang_column: str | None = None,
                    top_k: int | None = None, concurrency: int = 2, batch_size: int = 4096) -> Any:
    """``ds`` with the batch result columns added (entity_id, canonical_name, entity_type, score,
    decision, matched_alias, reason; candidates with ``top_k``), resolved by ``concurrency``
    actors that each load ``lexicon`` (a directory or a ``.nbx`` file; default: bundled) once."""
    return ds.map_batches(KeyResolver, fn_constructor_kwargs={"lexicon": lexicon, "top_k": top_k,
                                                              "column": column, "lang_column": lang_column},
                          concurrency=concurrency, batch_format="pyarrow", batch_size=batch_size)
