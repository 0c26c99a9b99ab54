"""Every threshold, weight and limit in one place.

Values are read from ``NAMEBRIDGE_<NAME>`` environment variables (upper-case
field name) or passed by name; ``Settings.validated()`` rejects nonsense at
start-up. ``GetLexiconInfo`` and ``namebridge info`` echo the values in force.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from namebridge.errors import InvalidArgument

#: The lexicon bundled with the repository (``lexicons/`` at the top level).
BUNDLED_LEXICON_DIR = Path(__file__).resolve().parents[2] / "lexicons"

#: ``namebridge batch`` defaults (the CLI flags and ``BatchOptions`` share them):
#: rows read, resolved and written at a time (bounds memory) ...
DEFAULT_BATCH_CHUNK_SIZE = 50_000
#: ... and the bound on the cache of resolved (name, language) pairs kept across chunks
DEFAULT_BATCH_CACHE_SIZE = 500_000


@dataclass(frozen=True, slots=True)
class Settings:
    """Tunable values. Scores and similarities are in [0, 1]."""

    lexicon_dir: Path = BUNDLED_LEXICON_DIR

    # --- decision -----------------------------------------------------------
    #: top score at or above this, with enough margin, is a MATCH
    match_threshold: float = 0.80
    #: top score at or above this (but not a MATCH) is AMBIGUOUS
    ambiguous_threshold: float = 0.75
    #: a MATCH needs this lead over the best *other* entity
    match_margin: float = 0.06
    #: ... and a calibrated probability (Resolution.score, docs/evaluation.md) at least this
    match_probability: float = 0.10
    #: AMBIGUOUS needs a calibrated probability at least this (below it: NO_MATCH)
    ambiguous_probability: float = 0.20
    #: candidates below this score are not returned
    min_candidate_score: float = 0.30
    #: default and maximum number of candidates returned per query
    default_max_candidates: int = 5
    max_candidates_limit: int = 50

    # --- token similarity ---------------------------------------------------
    #: a query token and an alias token below this similarity do not align
    min_token_similarity: float = 0.78
    #: similarity credited to a one-letter initial that fits a given name
    initial_similarity: float = 0.85
    #: weight factor for tokens recovered by stripping a suffix or clitic
    stemmed_factor: float = 0.98

    # --- feature weights (see scoring.py; overridable by name) -------------
    feature_weights: dict[str, float] = field(default_factory=dict)

    # --- bounds on cost -----------------------------------------------------
    #: names longer than this (characters, after trimming) are refused
    max_name_length: int = 256
    #: tokens beyond this are ignored (a name, not a document)
    max_query_tokens: int = 8
    #: vocabulary tokens taken per query token from the key indexes
    max_token_candidates: int = 32
    #: aliases expanded from the postings of one query token when no alias
    #: holds two of the query's name tokens (a lone surname shared by many)
    max_postings_expanded: int = 500
    #: aliases scored in full per query at most (the ones with most evidence)
    max_aliases_scored: int = 40
    #: memoised query-token analyses
    token_cache_size: int = 65536
    #: memoised whole answers (pipelines repeat names); 0 is not allowed, 1 nearly disables it
    resolution_cache_size: int = 65536

    # --- batch and service ----------------------------------------------------
    max_batch_names: int = 10_000
    #: texts longer than this (Unicode code points) are refused by Annotate and `namebridge annotate`
    max_annotate_chars: int = 1_048_576

    def validated(self) -> "Settings":
        """Return self if every value is in range, else raise InvalidArgument."""
        for name in ("match_threshold", "ambiguous_threshold", "match_margin",
                     "match_probability", "ambiguous_probability",
                     "min_candidate_score", "min_token_similarity",
                     "initial_similarity", "stemmed_factor"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise InvalidArgument(name, f"must be in [0, 1], got {value}")
        if self.ambiguous_threshold > self.match_threshold:
            raise InvalidArgument("ambiguous_threshold", "must not exceed match_threshold")
        for name in ("default_max_candidates", "max_candidates_limit", "max_name_length",
                     "max_query_tokens", "max_token_candidates", "max_postings_expanded",
                     "max_aliases_scored", "token_cache_size", "resolution_cache_size", "max_batch_names",
                     "max_annotate_chars"):
            if getattr(self, name) < 1:
                raise InvalidArgument(name, "must be a positive integer")
        return self

    def replace(self, **changes: object) -> "Settings":
        return dataclasses.replace(self, **changes).validated()

    def as_dict(self) -> dict[str, str]:
        """Every setting as text, for GetLexiconInfo and `namebridge info`."""
        return {f.name: str(getattr(self, f.name)) for f in dataclasses.fields(self)}


def _parse(kind: type, text: str) -> object:
    if kind is Path or kind == "Path":
        return Path(text)
    if kind in (float, "float"):
        return float(text)
    if kind in (int, "int"):
        return int(text)
    raise TypeError(kind)


def settings_from_env(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from ``NAMEBRIDGE_*`` variables, then explicit overrides.

    ``NAMEBRIDGE_FEATURE_WEIGHTS`` takes ``name=value,name=value``.
    """
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, object] = {}
    for f in dataclasses.fields(Settings):
        raw = environ.get(f"NAMEBRIDGE_{f.name.upper()}")
        if raw is None:
            continue
        try:
            if f.name == "feature_weights":
                values[f.name] = {
                    k.strip(): float(v)
                    for k, v in (item.split("=", 1) for item in raw.split(",") if item.strip())
                }
            else:
                values[f.name] = _parse(f.type, raw)
        except (ValueError, TypeError) as exc:
            raise InvalidArgument(f"NAMEBRIDGE_{f.name.upper()}", f"cannot parse {raw!r}: {exc}") from exc
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values).validated()
