"""The warehouse: DuckDB connections, the run's build copy and its publication, the SQL runner and the
run log. Dagster-free; `pipeline/defs/` wires it in."""

from pipeline.warehouse.build import WarehouseBuild
from pipeline.warehouse.connection import (
    STORAGE_COMPATIBILITY_VERSION,
    WarehouseError,
    connect,
    connection,
    replace_table_from_arrow,
    table_exists,
)

__all__ = [
    "STORAGE_COMPATIBILITY_VERSION",
    "WarehouseBuild",
    "WarehouseError",
    "connect",
    "connection",
    "replace_table_from_arrow",
    "table_exists",
]
