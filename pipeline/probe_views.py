"""Views over the drop's raw probe files, so analysts can reach probe rows the warehouse does not copy.

DuckDB does not bind parameters inside CREATE VIEW, so the file paths are written into the view as
SQL string literals; `_literal` quotes them (a path is data, never SQL).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.ingest.sources import PROBES_DIR

_READERS = {
    "csv": "read_csv({files}, all_varchar = true, union_by_name = true, filename = true)",
    "jsonl": "read_json({files}, format = 'newline_delimited', union_by_name = true, filename = true)",
    "parquet": "read_parquet({files}, union_by_name = true, filename = true)",
}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def probe_files_by_format(data_dir: Path) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {"csv": [], "jsonl": [], "parquet": []}
    for path in sorted((data_dir / PROBES_DIR).iterdir()):
        name = path.name.lower()
        for kind, suffixes in (("csv", (".csv", ".csv.gz")), ("jsonl", (".jsonl", ".jsonl.gz")), ("parquet", (".parquet",))):
            if path.is_file() and name.endswith(suffixes):
                files[kind].append(path)
    return files


def create_probe_views(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[str]:
    """(Re)create `main.raw_probe_files_<format>` views over the drop's probe files; return their names."""
    created = []
    for kind, paths in probe_files_by_format(data_dir).items():
        name = f"raw_probe_files_{kind}"
        con.execute("DROP VIEW IF EXISTS main." + name)
        if not paths:
            continue
        files = "[" + ", ".join(_literal(str(p)) for p in paths) + "]"
        statement = "CREATE VIEW main." + name + " AS SELECT * FROM " + _READERS[kind].format(files=files)
        con.execute(statement)
        created.append(name)
    return created


__all__ = ["create_probe_views", "probe_files_by_format"]
