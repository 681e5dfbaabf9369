"""Shared bits of the asset modules: the pool that serialises warehouse writers, the context a monthly
step works in, and the translation of known problems into one-line failures."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import duckdb

from pipeline.defs.metadata import OWNERS_BY_GROUP, mart_definition_metadata
from pipeline.defs.resources import SlaEnvironment
from pipeline.ingest.as_of import AsOfError
from pipeline.ingest.readers import InputFileError
from pipeline.months import RunParams
from pipeline.policy import PolicyError, PolicyVersion, load_policy
from pipeline.settings import Settings
from pipeline.warehouse import WarehouseError
from pipeline.warehouse.runlog import load_run_params
from pipeline.warehouse.sqlrunner import ModelError, load_model

# One writer at a time on the warehouse, also across runs (the instance sets the pool limit to 1).
WAREHOUSE_POOL = "sla_warehouse"

# Column headings of the per-file accounting tables shown on the input assets.
ACCOUNTING_COLUMNS = ("source_file", "rows_read", "rows_used", "rows_other_months", "rows_rejected", "rows_collapsed")

# Errors whose message is already what the operator needs: shown as the step's failure, no traceback.
OPERATOR_ERRORS = (InputFileError, AsOfError, ModelError, PolicyError, WarehouseError)


def mart_spec(name: str, group: str, deps: tuple[str, ...], kinds: tuple[str, ...] = ("duckdb",)) -> dg.AssetSpec:
    """An asset spec for a mart (`sql/marts/<name>.sql`): its description is the SQL model's header,
    its owners the stage's, and its metadata names its table and SQL file."""
    from pipeline.defs.models import reference_deps  # the model assets import this module's neighbours

    return dg.AssetSpec(
        name,
        deps=[*deps, *(d for d in reference_deps(f"marts/{name}") if d.to_user_string() not in deps)],
        description=load_model(f"marts/{name}").description,
        group_name=group,
        kinds=set(kinds),
        owners=OWNERS_BY_GROUP[group],
        metadata=mart_definition_metadata(name),
    )


@dataclass(frozen=True)
class MonthStep:
    """What a step after the inputs works with: paths, the policy version in force on the month's first
    day, a connection to this run's build warehouse, and the parameters the input step recorded."""

    settings: Settings
    policy: PolicyVersion
    con: duckdb.DuckDBPyConnection
    params: RunParams


@contextlib.contextmanager
def month_step(context: dg.AssetExecutionContext, sla: SlaEnvironment) -> Iterator[MonthStep]:
    """Open a step of the monthly job; known problems in it become the step's one-line failure."""
    month = context.partition_key
    with operator_errors():
        settings = sla.settings()
        policy = load_policy(settings.policy_file).version_for(month)
        with sla.build(context.run.run_id).connect() as con:
            yield MonthStep(settings, policy, con, load_run_params(con, month, context.run.run_id))


@contextlib.contextmanager
def operator_errors() -> Iterator[None]:
    """Turn a known problem into a dagster Failure whose description is the one line to act on."""
    try:
        yield
    except OPERATOR_ERRORS as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    except OSError as exc:
        # A full disk (ENOSPC, EFBIG) or an unwritable folder: the run stops before its publication.
        where = f" {exc.filename}" if exc.filename else ""
        raise dg.Failure(
            description=f"cannot write{where}: {exc.strerror or exc} — nothing was published "
            "(free space or fix the folder's permissions, then rerun)",
            allow_retries=False,
        ) from exc


__all__ = [
    "ACCOUNTING_COLUMNS",
    "OPERATOR_ERRORS",
    "WAREHOUSE_POOL",
    "MonthStep",
    "mart_spec",
    "month_step",
    "operator_errors",
]
