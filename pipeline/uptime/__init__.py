"""Uptime (R13–R17, R20), service credits (R18, R19) and chronic breaches of a month, Dagster-free."""

from pipeline.uptime.chronic import CHRONIC_MODELS, build_chronic_breaches
from pipeline.uptime.credits import CREDIT_MODELS, CurrencyClashError, build_credits, credit_parameters
from pipeline.uptime.engine import UPTIME_MODELS, build_uptime

__all__ = [
    "CHRONIC_MODELS",
    "CREDIT_MODELS",
    "UPTIME_MODELS",
    "CurrencyClashError",
    "build_chronic_breaches",
    "build_credits",
    "build_uptime",
    "credit_parameters",
]
