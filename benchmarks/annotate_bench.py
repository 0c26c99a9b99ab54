"""Annotate section of ``make bench``: ms per KB of text, as the text and the lexicon grow.

Texts: the five seed articles (``seeds/``), and a text of about 1 MB (UTF-8) made of
their paragraphs in a shuffled order (seeded), each paragraph once per pass.
Lexicons: the bundled one, and the bundled one plus a synthetic lexicon of about
100,000 entities (``benchmarks.synthetic``) written next to it into a temporary
directory. Each (lexicon, text) is timed on a freshly loaded engine, so the
resolver's memo starts empty (load and automaton build are timed apart).

Printed: CPU ms per KB (UTF-8) for each (wall time beside it: on a shared machine
CPU time is the steadier figure), with two ratios in place of a pass/fail: the 1 MB
text against the seeds (linear in text length: near 1) and the large lexicon
against the bundled one (independent of lexicon size: within 2x). The baseline
is a plain ``str.split`` + dict lookup of every word over the same text (a
floor for any annotator that reads every word in Python).
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks import BenchOptions
from benchmarks.synthetic import write_synthetic_lexicon

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
#: the large text, in UTF-8 bytes
LARGE_TEXT_BYTES = 1_000_000
#: entities of the large lexicon (the synthetic generator writes about 4.6 aliases each)
LARGE_ENTITIES = 100_000
ALIASES_PER_ENTITY = 4.6
TARGET_LEXICON_RATIO = 2.0


def seed_texts() -> dict[str, str]:
    return {p.name: open(p, encoding="utf-8", newline="").read() for p in sorted(SEEDS.glob("*.txt"))}


def large_text(texts: dict[str, str], seed: int) -> str:
    """About LARGE_TEXT_BYTES of the seeds' paragraphs, shuffled pass by pass."""
    paragraphs = [p for t in texts.values() for p in t.split("\n\n") if p.strip()]
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < LARGE_TEXT_BYTES:
        rng.shuffle(paragraphs)
        for p in paragraphs:
            out.append(p)
            size += len(p.encode("utf-8")) + 2
            if size >= LARGE_TEXT_BYTES:
                break
    return "\n\n".join(out)


def merged_lexicon(directory: Path, entities: int, seed: int) -> tuple[Path, int, int]:
    """The bundled lexicon plus a synthetic one of about ``entities`` entities, in ``directory``."""
    from namebridge.settings import BUNDLED_LEXICON_DIR

    synthetic = write_synthetic_lexicon(directory, aliases=int(entities * ALIASES_PER_ENTITY), seed=seed)
    for folder in ("entities", "aliases"):
        for path in sorted((BUNDLED_LEXICON_DIR / folder).glob("*.tsv")):
            target = directory / folder / path.name
            if not target.exists():
                shutil.copyfile(path, target)
                continue
            rows = [line for line in path.read_text(encoding="utf-8").splitlines()
                    if line and not line.startswith("#")][1:]
            with target.open("a", encoding="utf-8") as out:
                out.write("".join(f"{row}\n" for row in rows))
    return directory, synthetic.entity_count, synthetic.alias_count


def _kb(text: str) -> float:
    return len(text.encode("utf-8")) / 1024


def _baseline_ms_per_kb(text: str, vocabulary: set[str]) -> float:
    started = time.perf_counter()
    hits = sum(1 for w in text.split() if w in vocabulary)
    elapsed = time.perf_counter() - started
    return 1000 * elapsed / _kb(text) if hits >= 0 else 0.0


def measure(lexicon_dir: Path | None, label: str, texts: dict[str, str], big: str) -> dict[str, float]:
    """Load, then time the seeds and the large text, each on a fresh engine."""
    from namebridge.annotation.annotator import Annotator
    from namebridge.matching.engine import Engine

    figures: dict[str, float] = {}
    for name, pieces in (("seeds", list(texts.values())), ("1MB", [big])):
        started = time.perf_counter()
        engine = Engine.load(lexicon_dir)
        loaded = time.perf_counter()
        annotator = Annotator(engine)
        built = time.perf_counter()
        mentions = 0
        wall, cpu = time.perf_counter(), time.process_time()
        for text in pieces:
            mentions += len(annotator.annotate(text))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        kb = sum(_kb(t) for t in pieces)
        figures[name] = 1000 * cpu / kb
        print(f"{label:<28} {name:<6} {kb:>8.0f} KB  {mentions:>7} mentions  {figures[name]:>7.2f} ms/KB CPU "
              f"({1000 * wall / kb:.2f} wall)  "
              f"(engine load {loaded - started:.1f} s, automaton {built - loaded:.1f} s, "
              f"{len(annotator.automaton.patterns)} patterns)", flush=True)
    return figures


def run(options: BenchOptions) -> None:
    texts = seed_texts()
    big = large_text(texts, options.seed)
    vocabulary = {w for t in texts.values() for w in t.split()[::7]}
    print(f"baseline (str.split + set lookup): {_baseline_ms_per_kb(big, vocabulary):.3f} ms/KB on the 1 MB text")
    from namebridge.lexicon.loader import load_lexicon
    from namebridge.settings import BUNDLED_LEXICON_DIR

    bundled_entities = len(load_lexicon(BUNDLED_LEXICON_DIR).entities)
    small = measure(None, f"bundled ({bundled_entities} entities)", texts, big)
    with tempfile.TemporaryDirectory(prefix="namebridge-annotate-bench-") as tmp:
        directory, entities, aliases = merged_lexicon(Path(tmp) / "lexicon", LARGE_ENTITIES, options.seed)
        large = measure(directory, f"+{entities} synthetic entities", texts, big)
    print(f"\nlinear in text length: 1 MB / seeds ms/KB = {small['1MB'] / small['seeds']:.2f} (bundled), "
          f"{large['1MB'] / large['seeds']:.2f} (large lexicon)")
    ratios = [large[k] / small[k] for k in ("seeds", "1MB")]
    print(f"lexicon size: large / bundled ms/KB = {ratios[0]:.2f} (seeds), {ratios[1]:.2f} (1 MB); "
          f"target within {TARGET_LEXICON_RATIO:.0f}x: {'met' if max(ratios) <= TARGET_LEXICON_RATIO else 'NOT met'}")
