"""Credit statements (R21): view-model, rendering, safe fetcher, finance summary, parallel renderer.

Dagster-free: `render_month` is the entry point the Dagster asset and the CLI call.
"""

from pipeline.statements.month import StatementRecord, render_month

__all__ = ["render_month", "StatementRecord"]
