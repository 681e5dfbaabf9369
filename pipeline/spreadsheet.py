"""CSV for people who open it in a spreadsheet: the one rule every CSV the project writes goes through.

Customer text (a name, a ticket subject, a rejected row's raw text) reaches `statements.csv`,
`breached-tickets.csv`, `credit_notes.csv`, `credit_accruals.csv`, `simulation.csv` and the ops CLI's
`export --format csv`. A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula
(`=HYPERLINK("http://x","y")`, `@SUM(1+1)*cmd|…`), and a leading tab, CR or LF is dropped by some of
them before that test — so such a cell gets a leading `'` (OWASP "CSV injection"): the spreadsheet
shows the text as written, without the quote mark, and runs nothing.

- A plain decimal number (`-12.50`, `-3`) is left alone: it is a value, not a formula, and a credit
  delta must stay a number.
- `csv_document` quotes a field holding `;` or a tab as well as the RFC 4180 cases (`,`, `"`, CR,
  LF): a spreadsheet in a locale whose list separator is `;` would otherwise split `x;=1+1` into a
  second cell that starts with `=`.
- JSON outputs (`credit_notes.jsonl`, `statement.json`) carry text unchanged: they are data, not cells.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def spreadsheet_cell(value: Any) -> str:
    """The text of one CSV cell: None is empty, booleans are true/false, formula-looking text gets a `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text[:1] in FORMULA_TRIGGERS and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _quoted(text: str) -> bool:
    return any(c in text for c in ',";\t\r\n')


def csv_document(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """RFC 4180 text (CRLF, header first), every cell through `spreadsheet_cell`."""
    out = io.StringIO()
    for row in (header, *rows):
        cells = [spreadsheet_cell(v) for v in row]
        out.write(",".join('"' + c.replace('"', '""') + '"' if _quoted(c) else c for c in cells) + "\r\n")
    return out.getvalue()


def spreadsheet_table(table: pa.Table) -> pa.Table:
    """`table` with every text value through `spreadsheet_cell` (nulls stay null), for Arrow's CSV writer
    (which quotes every text value). Columns with nothing to change are kept as they are."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for index, column in enumerate(table.columns):
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        starts = pc.utf8_slice_codeunits(column, 0, 1)
        if not pc.any(pc.is_in(starts, value_set=pa.array(FORMULA_TRIGGERS, column.type))).as_py():
            continue
        values = [None if v is None else spreadsheet_cell(v) for v in column.to_pylist()]
        table = table.set_column(index, table.field(index), pa.array(values, column.type))
    return table


__all__ = ["FORMULA_TRIGGERS", "csv_document", "spreadsheet_cell", "spreadsheet_table"]
