"""Finance: the approval / issuance ledger, delivery of issued statements, credit notes for billing,
month-end accruals and the finance portal. Dagster-free; reads the published warehouse and the ledger."""

from pipeline.finance.errors import FinanceError

__all__ = ["FinanceError"]
