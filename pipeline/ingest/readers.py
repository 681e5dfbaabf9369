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


# A field longer than this rejects its record (no contract value comes near it; a subject is a line of
# text). The csv module's own limit (128 KiB by default, module-wide) would instead stop the whole run,
# so it is raised to MAX_READ_FIELD_CHARS: beyond that the file is no export of ours and reading on
# would take unbounded memory, so it stops the run naming the line.
MAX_FIELD_CHARS = 1_048_576
MAX_READ_FIELD_CHARS = 64 * 1_048_576
# The raw text kept for a record whose field is too long (rejected_rows, UI metadata, logs).
RAW_KEPT_CHARS = 1_024
csv.field_size_limit(max(csv.field_size_limit(), MAX_READ_FIELD_CHARS))

_OTHER_SEPARATORS = (";", "\t", "|")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Record:
    line_number: int
    values: dict[str, str | None]
    raw: str
    shape_problem: str | None


# A gzip member expands at most ~1,000×; real exports expand ~10–20× (the sample's probe files: 10× and
# 18×). Once more than EXPANSION_FLOOR_BYTES have come out (so a small file never trips it), output
# above MAX_EXPANSION_RATIO × the compressed bytes consumed so far is a decompression bomb: reading stops
# there, so a bomb is refused after ~EXPANSION_FLOOR_BYTES whatever it would expand to, and memory
# stays bounded.
MAX_EXPANSION_RATIO = 100
EXPANSION_FLOOR_BYTES = 16 * 2**20


class _BoundedGzip(io.RawIOBase):
    """A gzip file's decompressed bytes that stop with InputFileError past the expansion bound."""

    def __init__(self, path: Path, display_name: str) -> None:
        super().__init__()
        self._display_name = display_name
        self._expanded = 0
        self._compressed = open(path, "rb")  # noqa: SIM115 - closed in close()
        self._gzip = gzip.GzipFile(fileobj=self._compressed, mode="rb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer, as io.RawIOBase has it
        count = self._gzip.readinto(buffer)
        self._expanded += count
        consumed = max(self._compressed.tell(), 1)
        if self._expanded > EXPANSION_FLOOR_BYTES and self._expanded > MAX_EXPANSION_RATIO * consumed:
            raise InputFileError(
                f"{self._display_name} is a decompression bomb: its first {consumed:,} compressed bytes "
                f"expand to over {self._expanded:,} (more than {MAX_EXPANSION_RATIO}×; a real export expands "
                "10–20×); refused — re-export the file"
            )
        return count

    def close(self) -> None:
        self._gzip.close()
        self._compressed.close()
        super().close()


def open_binary(path: Path, display_name: str) -> io.BufferedIOBase:
    """The file's bytes, decompressed (bounded, see MAX_EXPANSION_RATIO) when its name ends in `.gz`."""
    if path.name.lower().endswith(".gz"):
        return io.BufferedReader(_BoundedGzip(path, display_name))
    return open(path, "rb")


def _open_text(path: Path, display_name: str) -> io.TextIOBase:
    return io.TextIOWrapper(open_binary(path, display_name), encoding="utf-8-sig", newline="")


def undecodable_text_message(path: Path, display_name: str) -> str:
    """Why a file is not UTF-8 text, naming the first bad line and byte (re-read in binary: the text
    decoder reports positions within its buffer, not within the file)."""
    with open_binary(path, display_name) as binary:
        if binary.read(2) in _UTF16_BOMS:
            return f"{display_name} cannot be read: it is UTF-16 text (it starts with a UTF-16 byte order mark); export it as UTF-8"
    with open_binary(path, display_name) as binary:
        for line_number, line in enumerate(binary, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return (
                    f"{display_name} cannot be read: line {line_number} is not utf-8 text "
                    f"(byte 0x{line[exc.start]:02x} at byte {exc.start + 1} of the line); export the file as UTF-8"
                )
    return f"{display_name} cannot be read: it is not utf-8 text; export the file as UTF-8"


def _header_problem(display_name: str, header: list[str], columns: tuple[str, ...], required: tuple[str, ...]) -> str | None:
    """Why a header cannot be read (a missing or doubled contract column), or None."""
    missing = [name for name in required if name not in header]
    if missing and len(header) == 1:
        for separator in _OTHER_SEPARATORS:
            names = [name.strip() for name in header[0].split(separator)]
            if any(name in names for name in required):
                shown = "tab" if separator == "\t" else repr(separator)
                return (
                    f"{display_name} is not comma-separated: its header is one field that {shown} separates "
                    f"into {', '.join(names)}; export it with ',' as the separator"
                )
    if missing:
        return (
            f"{display_name} is missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)} "
            f"(its header has: {', '.join(header)})"
        )
    for name in columns:
        places = [i + 1 for i, heading in enumerate(header) if heading == name]
        if len(places) > 1:
            return (
                f"{display_name} has column {name!r} {len(places)} times in its header (columns "
                f"{', '.join(map(str, places))}): which one holds {name} is ambiguous"
            )
    return None


def _record_problem(fields: list[str], header: list[str], raw: str) -> tuple[str | None, int | None]:
    """The record's shape problem (NUL byte, field count, a field too long) and the long field's index.
    The fields are looked at only when the raw text shows a problem (probe files have millions of rows)."""
    if "\x00" in raw:
        for i, field in enumerate(fields):
            if "\x00" in field:
                column = header[i] if i < len(header) else f"field {i + 1}"
                return f"has a NUL byte (0x00) in {column}: the file may be damaged", None
    if len(fields) != len(header):
        return f"has {len(fields)} fields where the header has {len(header)}", None
    if len(raw) <= MAX_FIELD_CHARS:
        return None, None
    for i, field in enumerate(fields):
        if len(field) > MAX_FIELD_CHARS:
            return (
                f"has a field too long: {header[i]} is {len(field)} characters, more than the "
                f"{MAX_FIELD_CHARS} a field may hold",
                i,
            )
    return None, None


def _kept_raw(raw: str) -> str:
    """The raw text stored for a record: exact, except a NUL byte shows as ␀ and a huge record is cut."""
    raw = raw.replace("\x00", "\u2400")
    if len(raw) > RAW_KEPT_CHARS * 2:
        return raw[:RAW_KEPT_CHARS] + f"… (cut: {len(raw)} characters in all)"
    return raw


def read_csv_records(
    path: Path,
    display_name: str,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    *,
    empty_is_no_rows: bool = False,
) -> Iterator[Record]:
    """Yield the records of a CSV file; raise InputFileError for an unreadable file or a missing column.

    `empty_is_no_rows`: a file without even a header (0 bytes) has no rows instead of stopping the run
    (probe files: an exporter with nothing to report for a region)."""
    consumed: list[str] = []
    lines_read = 0

    def tracked_lines(handle: io.TextIOBase) -> Iterator[str]:
        nonlocal lines_read
        for line in handle:
            lines_read += 1
            consumed.append(line)
            yield line

    record_started_at = 1
    try:
        with _open_text(path, display_name) as handle:
            reader = csv.reader(tracked_lines(handle), strict=True)
            header = next(reader, None)
            if not header:
                if empty_is_no_rows and lines_read == 0:
                    return
                raise InputFileError(f"{display_name} is empty: it has no header row")
            header = [name.strip() for name in header]
            problem = _header_problem(display_name, header, columns, required)
            if problem:
                raise InputFileError(problem)
            position = {name: header.index(name) for name in columns if name in header}
            consumed.clear()
            record_number = 0
            record_started_at = lines_read + 1
            for fields in reader:
                raw = "".join(consumed).rstrip("\r\n")
                consumed.clear()
                record_started_at = lines_read + 1
                if not fields:
                    continue  # a blank line is not a record
                record_number += 1
                problem, too_long = _record_problem(fields, header, raw)
                values = {
                    name: (fields[i] if i < len(fields) and i != too_long else None) for name, i in position.items()
                }
                yield Record(record_number, values, raw if problem is None else _kept_raw(raw), problem)
    except InputFileError:
        raise
    except UnicodeDecodeError as exc:
        raise InputFileError(undecodable_text_message(path, display_name)) from exc
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            message = (
                f"{display_name} cannot be read: the quoted field that starts on line {record_started_at} "
                "is never closed (the file ends inside it: a cut-off export or a stray quote)"
            )
        else:
            message = f"{display_name} cannot be read: line {lines_read}: {exc}"
        raise InputFileError(message) from exc
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
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


__all__ = [
    "EXPANSION_FLOOR_BYTES",
    "MAX_EXPANSION_RATIO",
    "MAX_FIELD_CHARS",
    "MAX_READ_FIELD_CHARS",
    "InputFileError",
    "Record",
    "open_binary",
    "read_csv_records",
    "records_to_arrow",
    "undecodable_text_message",
]
