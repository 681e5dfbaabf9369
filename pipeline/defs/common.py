"""Shared bits of the asset modules: the pool that serialises warehouse writers, and error translation."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import dagster as dg

from pipeline.ingest.readers import InputFileError
from pipeline.policy import PolicyError
from pipeline.runlog import AsOfError
from pipeline.sqlrunner import ModelError, load_model
from pipeline.warehouse import WarehouseError

# One writer at a time on the warehouse, also across runs (the instance sets the pool limit to 1).
WAREHOUSE_POOL = "sla_warehouse"

# Column headings of the per-file accounting tables shown on the input assets.
ACCOUNTING_COLUMNS = ("file", "read", "used", "other months", "rejected", "collapsed")

# Errors whose message is already what the operator needs: shown as the step's failure, no traceback.
OPERATOR_ERRORS = (InputFileError, AsOfError, ModelError, PolicyError, WarehouseError)


def mart_spec(name: str, group: str, deps: tuple[str, ...]) -> dg.AssetSpec:
    """An asset spec for a mart built by a multi-asset; its description is the SQL model's header."""
    return dg.AssetSpec(
        name, deps=list(deps), description=load_model(f"marts/{name}").description, group_name=group, kinds={"duckdb"}
    )


@contextlib.contextmanager
def operator_errors() -> Iterator[None]:
    """Turn a known problem into a dagster Failure whose description is the one line to act on."""
    try:
        yield
    except OPERATOR_ERRORS as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc


__all__ = ["ACCOUNTING_COLUMNS", "WAREHOUSE_POOL", "OPERATOR_ERRORS", "mart_spec", "operator_errors"]
