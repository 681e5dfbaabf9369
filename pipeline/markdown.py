"""Markdown tables for the Dagster UI's metadata (accounting, check results, credit totals)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def markdown_table(columns: Sequence[str], rows: Iterable[Sequence[object]], *, limit: int | None = None) -> str:
    """A GitHub-style table; numbers are right-aligned; None prints empty; `limit` cuts long lists."""
    rows = list(rows)
    shown = rows if limit is None else rows[:limit]
    numeric = [
        bool(shown) and all(isinstance(row[i], int | float) or row[i] is None for row in shown)
        for i in range(len(columns))
    ]
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---:" if right else "---" for right in numeric) + "|",
        *("| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in shown),
    ]
    if limit is not None and len(rows) > limit:
        lines.append(f"\n… and {len(rows) - limit} more")
    return "\n".join(lines) + "\n"


__all__ = ["markdown_table"]
