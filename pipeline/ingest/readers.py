"""Read input files as text, keeping for every record its file, 1-based record number and raw text.

DuckDB's CSV reader guesses types (and reads a timestamp without offset as local time) and does not
report record numbers, so CSV inputs are read with Python's csv module: every value stays text and is
parsed explicitly in `sql/staging`. A record number counts data records after the header, so a quoted
field that spans lines is still one record.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa


class InputFileError(RuntimeError):
    """A file (or a column of it) that stops the run; the message names it."""


@dataclass(frozen=True)
class Record:
    line_number: int
    values: dict[str, str | None]
    raw: str
    shape_problem: str | None


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def read_csv_records(path: Path, display_name: str, columns: tuple[str, ...], required: tuple[str, ...]) -> Iterator[Record]:
    """Yield the records of a CSV file; raise InputFileError for an unreadable file or a missing column."""
    consumed: list[str] = []

    def tracked_lines(handle: io.TextIOBase) -> Iterator[str]:
        for line in handle:
            consumed.append(line)
            yield line

    try:
        with _open_text(path) as handle:
            reader = csv.reader(tracked_lines(handle), strict=True)
            header = next(reader, None)
            if header is None:
                raise InputFileError(f"{display_name} is empty: it has no header row")
            header = [name.strip() for name in header]
            missing = [name for name in required if name not in header]
            if missing:
                raise InputFileError(
                    f"{display_name} is missing required column{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(repr(m) for m in missing)} "
                    f"(its header has: {', '.join(header)})"
                )
            position = {name: header.index(name) for name in columns if name in header}
            consumed.clear()
            record_number = 0
            for fields in reader:
                raw = "".join(consumed).rstrip("\r\n")
                consumed.clear()
                if not fields:
                    continue  # a blank line is not a record
                record_number += 1
                problem = None
                if len(fields) != len(header):
                    problem = f"has {len(fields)} fields where the header has {len(header)}"
                values = {name: (fields[i] if i < len(fields) else None) for name, i in position.items()}
                yield Record(record_number, values, raw, problem)
    except InputFileError:
        raise
    except (OSError, UnicodeDecodeError, csv.Error, EOFError, gzip.BadGzipFile) as exc:
        raise InputFileError(f"{display_name} cannot be read: {exc}") from exc


def records_to_arrow(records: Iterator[Record], source_file: str, columns: tuple[str, ...]) -> pa.Table:
    """Collect records into an all-text Arrow table: source_file, line_number, raw, shape_problem, columns."""
    line_numbers: list[int] = []
    raws: list[str] = []
    problems: list[str | None] = []
    values: dict[str, list[str | None]] = {name: [] for name in columns}
    for record in records:
        line_numbers.append(record.line_number)
        raws.append(record.raw)
        problems.append(record.shape_problem)
        for name in columns:
            values[name].append(record.values.get(name))
    arrays = {
        "source_file": pa.array([source_file] * len(line_numbers), pa.string()),
        "line_number": pa.array(line_numbers, pa.int64()),
        "raw": pa.array(raws, pa.string()),
        "shape_problem": pa.array(problems, pa.string()),
    }
    arrays.update({name: pa.array(column, pa.string()) for name, column in values.items()})
    return pa.table(arrays)


__all__ = ["InputFileError", "Record", "read_csv_records", "records_to_arrow"]
