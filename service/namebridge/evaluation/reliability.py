"""The reliability table: does a score of 0.9 mean right nine times in ten?

Over every evaluated name that got a candidate (positives and negatives
together), the score (``Resolution.score``, the calibrated probability that
the top candidate is the entity meant) is binned: one bin below
``FIRST_BIN``, then bins of ``BIN_WIDTH`` up to 1.0 (1.0 falls in the last).
Each bin gives its count, mean score and the observed share of names whose
top candidate is the expected entity (a negative's top candidate is never
right), and the gap between the two. Names without a candidate have no
score to check and are left out.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from namebridge.evaluation.harness import NIL, _rounded, _table

#: bins start here (everything lower is one bin) ...
FIRST_BIN = 0.5
#: ... and are this wide
BIN_WIDTH = 0.05


def reliability_table(results: pl.DataFrame) -> pl.DataFrame:
    """Columns ``bin`` (lower edge; 0.0 for everything under ``FIRST_BIN``), ``cases``,
    ``mean_score``, ``observed`` and ``gap`` (observed - mean_score), bins in order.

    ``results`` needs ``expected``, ``top`` (NIL without a candidate) and ``score``.
    """
    steps = round((1.0 - FIRST_BIN) / BIN_WIDTH)
    index = ((pl.col("score") - FIRST_BIN) / BIN_WIDTH + 1e-9).floor().clip(-1, steps - 1)
    scored = results.filter(pl.col("top").is_not_null() & (pl.col("top") != NIL))
    return (scored.with_columns(
                pl.when(index < 0).then(0.0).otherwise(FIRST_BIN + index * BIN_WIDTH).round(2).alias("bin"),
                (pl.col("top") == pl.col("expected")).alias("_right"))
            .group_by("bin")
            .agg(pl.len().alias("cases"), pl.col("score").mean().alias("mean_score"),
                 pl.col("_right").cast(pl.Float64).mean().alias("observed"))
            .with_columns((pl.col("observed") - pl.col("mean_score")).alias("gap"))
            .sort("bin"))


def reliability_rows(table: pl.DataFrame) -> list[dict[str, Any]]:
    """The ``--json`` shape: one dict per bin, floats to 4 places."""
    return [_rounded(r) for r in table.to_dicts()]


def format_reliability(table: pl.DataFrame, *, title: str) -> str:
    """The human-readable table (bin 0.00 is everything under ``FIRST_BIN``)."""
    lines = [f"reliability ({title}): score bins, share of top candidates right"]
    lines += _table(table) if table.height else ["  no candidates"]
    return "\n".join(lines)
