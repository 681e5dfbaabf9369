"""What publishing a month does for finance: the analysts' finance views in the build, and the
accruals file refreshed once the new warehouse is in place (a restatement makes new drafts)."""

from __future__ import annotations

import logging

from pipeline.finance.accruals import write_accruals_csv
from pipeline.finance.errors import FinanceError
from pipeline.finance.status import create_finance_views
from pipeline.settings import Settings


def refresh_finance_files(settings: Settings, log: logging.Logger | logging.LoggerAdapter) -> None:
    """Rewrite `credit_accruals.csv`. The month is already published: a failure here is reported, never
    allowed to fail the run (the next approve / issue rewrites the file)."""
    try:
        path = write_accruals_csv(settings)
    except (FinanceError, OSError, ValueError) as exc:
        log.warning(f"credit_accruals.csv not refreshed: {exc}")
        return
    log.info(f"credit accruals written to {path}")


__all__ = ["create_finance_views", "refresh_finance_files"]
