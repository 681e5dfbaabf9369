"""Support SLAs of a month (R4–R12), Dagster-free: policy targets, business calendar, SQL clocks."""

from pipeline.support.engine import SUPPORT_MODELS, build_support

__all__ = ["SUPPORT_MODELS", "build_support"]
