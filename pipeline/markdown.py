"""Markdown tables for the Dagster UI's metadata (accounting, check results, credit totals)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def markdown_cell(value: object) -> str:
    """One cell's text: `|` and `\\` escaped and line breaks shown as `<br>`, so that text from a drop
    (a rejection reason, a raw row) can never end its cell, its row or the table."""
    if value is None:
        return ""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return "<br>".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def markdown_table(columns: Sequence[str], rows: Iterable[Sequence[object]], *, limit: int | None = None) -> str:
    """A GitHub-style table; numbers are right-aligned; None prints empty; `limit` cuts long lists."""
    rows = list(rows)
    shown = rows if limit is None else rows[:limit]
    numeric = [
        bool(shown) and all(isinstance(row[i], int | float) or row[i] is None for row in shown)
        for i in range(len(columns))
    ]
    lines = [
        "| " + " | ".join(markdown_cell(c) for c in columns) + " |",
        "|" + "|".join("---:" if right else "---" for right in numeric) + "|",
        *("| " + " | ".join(markdown_cell(v) for v in row) + " |" for row in shown),
    ]
    if limit is not None and len(rows) > limit:
        lines.append(f"\n… and {len(rows) - limit} more")
    return "\n".join(lines) + "\n"


__all__ = ["markdown_cell", "markdown_table"]
