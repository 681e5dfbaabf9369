"""The intermediate SQL models as assets, in one collapsed group per stage (`<stage>_models`).

Operators see every model a step runs, not just the marts: each model of `sql/intermediate/` is an
asset keyed `intermediate/<name>`, with its SQL header as description and deps taken from the
runner's table references (`intermediate.x` → that model's asset, `main.x` → that mart's). The step
that runs a model materializes it with the row count the runner returns. Staging views, TEMP tables
and the few tables Python writes (the calendar, the targets) are not models and have no asset.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg
import duckdb

from pipeline.defs.metadata import OWNERS_BY_GROUP, beta_apis, sql_code_reference
from pipeline.ingest.probes import PROBE_MODELS
from pipeline.ingest.validate import CSV_VALIDATION_MODELS, MONTH_INPUT_MODELS
from pipeline.support.engine import SUPPORT_MODELS
from pipeline.uptime import CREDIT_MODELS, UPTIME_MODELS
from pipeline.warehouse.sqlrunner import load_model, quote_identifier

ALL_MODEL_KEYS = (
    *CSV_VALIDATION_MODELS, *MONTH_INPUT_MODELS, *PROBE_MODELS, *SUPPORT_MODELS, *UPTIME_MODELS, *CREDIT_MODELS
)
INTERMEDIATE_KEYS = tuple(k for k in ALL_MODEL_KEYS if k.startswith("intermediate/"))
_INTERMEDIATE_TABLES = {load_model(k).table: k for k in INTERMEDIATE_KEYS}
_MART_TABLES = {load_model(k).table for k in ALL_MODEL_KEYS if k.startswith("marts/")}


def model_asset_key(key: str) -> dg.AssetKey:
    """`intermediate/uptime/minute_states` → `intermediate/minute_states`."""
    return dg.AssetKey(["intermediate", load_model(key).name])


def reference_deps(key: str) -> list[dg.AssetKey]:
    """The assets a model reads, from the runner's table references."""
    deps = []
    for table in sorted(load_model(key).references):
        if table in _INTERMEDIATE_TABLES:
            deps.append(model_asset_key(_INTERMEDIATE_TABLES[table]))
        elif table in _MART_TABLES:
            deps.append(dg.AssetKey(table.split(".", 1)[1]))
    return deps


def _code_reference(key: str) -> dg.CodeReferencesMetadataValue:
    with beta_apis():
        return dg.CodeReferencesMetadataValue(code_references=[sql_code_reference(key)])


def model_specs(keys: Iterable[str], stage: str) -> list[dg.AssetSpec]:
    """Asset specs of the intermediate models among `keys`, in the stage's collapsed `<stage>_models` group."""
    group = f"{stage}_models"
    return [
        dg.AssetSpec(
            model_asset_key(key),
            deps=reference_deps(key),
            description=load_model(key).description,
            group_name=group,
            kinds={"duckdb", "sql"},
            owners=OWNERS_BY_GROUP[stage],
            metadata={
                "dagster/table_name": load_model(key).table,
                "dagster/code_references": _code_reference(key),
            },
        )
        for key in keys
        if key.startswith("intermediate/")
    ]


def model_results(con: duckdb.DuckDBPyConnection, keys: Iterable[str]) -> list[dg.MaterializeResult]:
    """One materialization per intermediate model the step ran, with the rows its table holds now."""
    results = []
    for key in keys:
        if key.startswith("intermediate/"):
            model = load_model(key)
            table = f"{quote_identifier(model.schema)}.{quote_identifier(model.name)}"  # validated identifiers
            rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            results.append(dg.MaterializeResult(asset_key=model_asset_key(key), metadata={"dagster/row_count": rows}))
    return results


__all__ = ["INTERMEDIATE_KEYS", "model_asset_key", "model_results", "model_specs", "reference_deps"]
