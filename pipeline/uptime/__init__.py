"""Uptime (R13–R17, R20) and service credits (R18, R19) of a month, Dagster-free."""

from pipeline.uptime.credits import CREDIT_MODELS, CurrencyClashError, build_credits, credit_parameters
from pipeline.uptime.engine import UPTIME_MODELS, build_uptime

__all__ = ["CREDIT_MODELS", "UPTIME_MODELS", "CurrencyClashError", "build_credits", "build_uptime", "credit_parameters"]
