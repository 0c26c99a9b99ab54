"""Batch resolution of whole files: ``namebridge batch`` (see ``runner.py``)."""

from namebridge.batch.formats import BatchInputError, Format
from namebridge.batch.runner import BatchOptions, BatchSummary, run_batch

__all__ = ["BatchInputError", "BatchOptions", "BatchSummary", "Format", "run_batch"]
