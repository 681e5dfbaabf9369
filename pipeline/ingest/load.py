"""Load a data drop's CSV inputs into `raw.<source>` tables (all text) in the build warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.ingest.readers import InputFileError, read_csv_records, records_to_arrow
from pipeline.ingest.sources import CSV_SOURCES, PROBES_DIR, Source
from pipeline.warehouse import replace_table_from_arrow


def check_drop_folder(data_dir: Path) -> None:
    """Fail early, naming what is missing, before anything is loaded."""
    if not data_dir.is_dir():
        raise InputFileError(f"data folder {data_dir} does not exist (set SLA_DATA_DIR)")
    missing = [s.filename for s in CSV_SOURCES if s.required_file and not (data_dir / s.filename).is_file()]
    if missing:
        raise InputFileError(f"required input file {', '.join(missing)} is missing from {data_dir}")
    if not (data_dir / PROBES_DIR).is_dir():
        raise InputFileError(f"required folder {PROBES_DIR}/ is missing from {data_dir}")


def load_source(con: duckdb.DuckDBPyConnection, data_dir: Path, source: Source) -> int:
    """Replace `raw.<source>` with the file's records; an absent optional file loads as no rows."""
    path = data_dir / source.filename
    records = (
        read_csv_records(path, source.filename, source.all_columns, source.columns)
        if path.is_file()
        else iter(())
    )
    table = records_to_arrow(records, source.filename, source.all_columns)
    replace_table_from_arrow(con, f"raw.{source.name}", table)
    return table.num_rows


def load_raw_tables(con: duckdb.DuckDBPyConnection, data_dir: Path) -> dict[str, int]:
    """Load every CSV input of the drop; return records read per file name."""
    check_drop_folder(data_dir)
    read = {source.filename: load_source(con, data_dir, source) for source in CSV_SOURCES}
    # every CSV file the drop has, also one without records, so the accounting lists it (0 rows read)
    present = [s.filename for s in CSV_SOURCES if (data_dir / s.filename).is_file()]
    replace_table_from_arrow(con, "raw.csv_input_files", pa.table({"source_file": pa.array(present, pa.string())}))
    return read


__all__ = ["check_drop_folder", "load_raw_tables", "load_source"]
