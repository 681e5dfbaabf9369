"""The short summary the CLI prints after a run, read from the published warehouse (read-only)."""

from __future__ import annotations

import sys
from typing import TextIO

from pipeline.money import minor_unit, money_string
from pipeline.settings import Settings
from pipeline.warehouse import connection, table_exists


def print_summary(
    settings: Settings, month: str, run_id: str, out: TextIO | None = None, *, unchanged_since: str | None = None
) -> None:
    """What the run published (or, `unchanged_since`, which published run still stands and why)."""
    out = out or sys.stdout
    with connection(settings.warehouse, read_only=True) as con:
        as_of, source = con.execute(
            "SELECT as_of, as_of_source FROM main.report_runs WHERE month = ?", [month]
        ).fetchone()
        files = con.execute(
            "SELECT source_file, rows_read, rows_used, rows_other_months, rows_rejected, rows_collapsed"
            " FROM main.input_file_accounting WHERE month = ? ORDER BY source_file",
            [month],
        ).fetchall()
        statements = (
            con.execute(
                "SELECT currency, count(*), sum(credit_amount) FROM main.statements"
                " WHERE month = ? AND is_current GROUP BY currency ORDER BY currency",
                [month],
            ).fetchall()
            if table_exists(con, "main", "statements")
            else None
        )
    print(f"sla-report {month}: done (run {run_id})", file=out)
    if unchanged_since:
        print(
            f"  unchanged: the drop, policy, code and other months are those of published run {unchanged_since};"
            " nothing was recomputed or published (--force rebuilds)",
            file=out,
        )
    print(f"  as-of: {as_of.isoformat()} ({source})", file=out)
    width = max([len(f[0]) for f in files] + [4])
    print(f"  {'file':<{width}}  {'read':>8} {'used':>8} {'other':>8} {'rejected':>8} {'dupes':>8}", file=out)
    for name, read, used, other, rejected, collapsed in files:
        print(f"  {name:<{width}}  {read:>8} {used:>8} {other:>8} {rejected:>8} {collapsed:>8}", file=out)
    print(f"  warehouse:  {settings.warehouse}", file=out)
    if statements is not None:
        count = sum(n for _, n, _ in statements)
        print(f"  statements: {settings.statements_dir / month}/ ({count} PDFs, summary in _summary.pdf)", file=out)
        credits = ", ".join(
            f"{currency} {money_string(total, minor_unit(currency))}" for currency, _, total in statements
        )
        print(f"  credits:    {credits or 'none'}", file=out)
    print(f"  rejected rows: SELECT * FROM rejected_rows WHERE month = '{month}'", file=out)


__all__ = ["print_summary"]
