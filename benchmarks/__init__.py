"""``make bench``: figures that are measured, never asserted.

Run as ``python -m benchmarks`` (see ``__main__.py``). The harness runs
sections in order; a section is a module ``benchmarks.<name>_bench`` with

    def run(options: BenchOptions) -> None

that prints its figures to stdout (the harness copies stdout to
``.bench/last.txt``). Every figure is printed next to a baseline measured in
the same run (a plain scan, an echo server, a polars join...), because
absolute times on a shared machine mean little and ratios travel.

``synthetic.py`` generates the lexicons and labelled queries every section
can use; ``name_parts/*.tsv`` holds the real name parts it builds names from.
"""

from __future__ import annotations

from dataclasses import dataclass

#: sections in the order the harness runs them
SECTIONS: tuple[str, ...] = ("engine", "grpc", "batch", "annotate", "snapshot")

#: lexicon sizes (aliases) the engine section measures by default
DEFAULT_SIZES: tuple[int, ...] = (1_000, 10_000, 100_000, 1_000_000)


@dataclass(frozen=True, slots=True)
class BenchOptions:
    """What the harness was asked to run; every section receives the same."""

    #: lexicon sizes in aliases (``--sizes 1k,10k``)
    sizes: tuple[int, ...] = DEFAULT_SIZES
    #: seed for every generator, so two runs measure the same data
    seed: int = 0
    #: queries per size for the engine section
    queries: int = 600
    #: profile Engine.load at the largest size and print the top functions
    profile_load: bool = False
