"""Labelled evaluation sets, their figures and the frozen per-case run (see ``harness``)."""

from namebridge.evaluation.harness import (CASE_COLUMNS, FIGURES, FROZEN_COLUMNS, NIL, EvalReport, Resolver, evaluate,
                                           figures_of, format_report, frozen_results, query_script, read_cases,
                                           read_frozen, run_cases, summarize, with_outcome, write_frozen)

__all__ = ["CASE_COLUMNS", "FIGURES", "FROZEN_COLUMNS", "NIL", "EvalReport", "Resolver", "evaluate", "figures_of",
           "format_report", "frozen_results", "query_script", "read_cases", "read_frozen", "run_cases", "summarize",
           "with_outcome", "write_frozen"]
