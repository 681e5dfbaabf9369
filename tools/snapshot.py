"""A fingerprint of one published month: every mart's rows and every statement file's bytes.

`python -m tools.snapshot WAREHOUSE STATEMENTS_DIR MONTH [--write FILE]` prints (or writes) it as JSON:
per table of the `main` schema its row count and the sha256 of its rows (sorted, as JSON), per file of
`STATEMENTS_DIR/MONTH/` its sha256. A refactoring proves it changed no figure by producing the same
snapshot before and after (`tests/golden/` keeps the sample month's; a change that is meant to move a
figure rewrites it in the same commit, with the reason).

What a rerun legitimately changes is left out: the run's id, start instant and paths, and the start
instant quoted in "in the future (the run started at …)" rejection reasons.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import duckdb

# Columns that name the run rather than describe the month (`inputs_sha256` also hashes the code and
# the drop's path, so it changes with every commit; `drop_sha256` is the sample's bytes and stays).
VOLATILE_COLUMNS = {
    "report_runs": {"run_id", "run_started_at", "data_dir", "inputs_sha256"},
    "statements": {"path", "produced_at"},
}
_RUN_STARTED = re.compile(r"\(the run started at [0-9T:Z-]+\)")


def _row_text(row: tuple) -> str:
    return _RUN_STARTED.sub("(the run started at …)", json.dumps(list(row), default=str, ensure_ascii=False))


def snapshot(warehouse: Path, statements_dir: Path, month: str) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        tables = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        result: dict[str, dict] = {}
        for table in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if name not in VOLATILE_COLUMNS.get(table, set())
            ]
            # Identifiers come from the catalogue, quoted; the month is bound.
            select = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
            rows = con.execute(
                f'SELECT {select} FROM main."{table}" WHERE month = ?', [month]
            ).fetchall()
            texts = sorted(_row_text(row) for row in rows)
            result[table] = {
                "rows": len(texts),
                "sha256": hashlib.sha256("\n".join(texts).encode()).hexdigest(),
            }
    finally:
        con.close()
    folder = statements_dir / month
    files = {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    return {"month": month, "tables": result, "files": files}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.snapshot", description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("statements_dir", type=Path)
    parser.add_argument("month")
    parser.add_argument("--write", type=Path, help="write the snapshot to this file instead of printing it")
    args = parser.parse_args(argv)
    text = json.dumps(snapshot(args.warehouse, args.statements_dir, args.month), indent=2, sort_keys=True) + "\n"
    if args.write:
        args.write.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
