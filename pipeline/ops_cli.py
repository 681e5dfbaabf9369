"""The operators' and support's commands of `sla-report`: status, check, statements, explain, export.

They only read the published warehouse (`SLA_WAREHOUSE`), read-only: they never block a run and never
see half a month (a run renames its finished build over the published file). `pipeline/cli.py` hooks
them in with `add_commands` and `run`; docs/operations-cli.md describes every command and exit code.

Exit codes: 0 done; 1 the command could not do it (one line on stderr saying why and what to do);
2 wrong usage (argparse); 3 `check` found violating rows in a blocking (ERROR) check.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from pipeline.money import format_pct_truncated, money_string
from pipeline.months import MonthError, parse_month
from pipeline.settings import Settings
from pipeline.spreadsheet import spreadsheet_table
from pipeline.warehouse import connect

COMMANDS = ("status", "check", "statements", "explain", "export")
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_CHECKS_FAILED = 0, 1, 2, 3
EXPORT_FORMATS = ("parquet", "csv")

EXIT_CODES = """\
exit codes:
  0  done
  1  could not do it: no published warehouse, month or customer not in it, unwritable --out (one line on stderr)
  2  wrong usage (unknown option, missing --month)
  3  (check only) a blocking ERROR check has violating rows
"""


class OpsError(RuntimeError):
    """What the operator must know, in one line."""


# --- reading the published warehouse ---------------------------------------------------------------------


def open_published(settings: Settings) -> duckdb.DuckDBPyConnection:
    path = settings.warehouse
    if not path.is_file():
        raise OpsError(
            f"no published warehouse at {path} (run `sla-report run --month YYYY-MM` first, or set SLA_WAREHOUSE)"
        )
    try:
        return connect(path, read_only=True)
    except duckdb.Error as exc:
        raise OpsError(f"cannot open the warehouse {path} read-only: {str(exc).splitlines()[0]}") from exc


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM (SELECT table_name AS n FROM duckdb_tables() WHERE schema_name = 'main'"
            " UNION ALL SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal) WHERE n = ?",
            [name],
        ).fetchone()[0]
    )


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
    ]


def published_months(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not _has_table(con, "report_runs"):
        return []
    return [r[0] for r in con.execute("SELECT month FROM main.report_runs ORDER BY month").fetchall()]


def _require_month(con: duckdb.DuckDBPyConnection, month: str, settings: Settings) -> None:
    try:
        parse_month(month)
    except MonthError as exc:
        raise OpsError(str(exc)) from exc
    months = published_months(con)
    if month not in months:
        listed = ", ".join(months) if months else "none"
        raise OpsError(f"{month} is not in the published warehouse {settings.warehouse} (published months: {listed})")


def _issuance(con: duckdb.DuckDBPyConnection) -> bool:
    """Issuance (issue 10's ledger) is shown only when the warehouse has its `statement_status` view."""
    return _has_table(con, "statement_status") and {"customer_id", "month", "version", "status"} <= set(
        _columns(con, "statement_status")
    )


# --- text output -----------------------------------------------------------------------------------------


def text_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[_text(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%SZ") if value.utcoffset().total_seconds() == 0 else value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("\n", " ")


def duration(seconds: int | None) -> str:
    """Whole seconds as h:mm:ss (hours may exceed 24), with the raw seconds: '1:47:18 (6438 s)'."""
    if seconds is None:
        return "-"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d} ({seconds} s)"


def _money(amount: Decimal | None, minor_unit: int | None, currency: str | None) -> str:
    if amount is None:
        return "-"
    return f"{money_string(amount, minor_unit)} {currency}" if minor_unit is not None else f"{amount} {currency}"


def _minor_unit(currency: str | None) -> int | None:
    from pipeline.money import MINOR_UNITS

    return MINOR_UNITS.get(currency or "")


def _progress(iterable, total: int, what: str):  # noqa: ANN001, ANN202 - a thin tqdm wrapper
    """A progress bar on stderr when it is a terminal (never in logs or pipes)."""
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=what, unit="step", file=sys.stderr, disable=None, leave=False)


# --- status ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRow:
    asset: str
    name: str
    severity: str
    columns: list[str]
    rows: list[tuple]

    @property
    def passed(self) -> bool:
        return not self.rows


def run_checks(con: duckdb.DuckDBPyConnection, month: str, *, progress: bool = True) -> list[CheckRow]:
    """Every asset check of the job (pipeline/defs/checks.py, same SQL, same parameters) on `month`."""
    from pipeline.defs.checks import CHECKS
    from pipeline.policy import load_policy
    from pipeline.warehouse.sqlchecks import evaluate_check

    policy = load_policy(Settings.from_env().policy_file)
    drop = con.execute("SELECT data_dir FROM main.report_runs WHERE month = $month", {"month": month}).fetchone()
    data_dir = Path(drop[0]) if drop else None  # reviewed exceptions are judged on the drop the run read
    checks = _progress(CHECKS, len(CHECKS), f"checks {month}") if progress else CHECKS
    results = []
    for asset, name, severity in checks:
        try:
            outcome = evaluate_check(con, name, month, policy, data_dir)
        except duckdb.Error as exc:
            raise OpsError(f"check {name} cannot run on this warehouse: {str(exc).splitlines()[0]}") from exc
        results.append(CheckRow(asset, name, severity.value, outcome.columns, outcome.rows))
    return results


def _last_dagster_runs(settings: Settings) -> dict[str, tuple[str, datetime | None]] | None:
    """month → (status, start) of the newest Dagster run of each month, or None without an instance."""
    if not (settings.dagster_home / "dagster.yaml").is_file():
        return None
    try:
        from dagster import DagsterInstance, RunsFilter

        from pipeline.defs.jobs import MONTHLY_JOB_NAME

        with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
            latest: dict[str, tuple[str, datetime | None]] = {}
            for record in instance.get_run_records(filters=RunsFilter(job_name=MONTHLY_JOB_NAME), limit=500):
                month = record.dagster_run.tags.get("dagster/partition")
                if month and month not in latest:  # newest first
                    started = record.start_time
                    latest[month] = (
                        record.dagster_run.status.value,
                        datetime.fromtimestamp(started, UTC) if started else None,
                    )
            return latest
    except Exception:  # noqa: BLE001 - the instance is context; status works without it
        return None


def status(settings: Settings, month: str | None, out) -> int:  # noqa: ANN001
    with open_published(settings) as con:
        if month is not None:
            _require_month(con, month, settings)
        months = [month] if month else published_months(con)
        issuance = _issuance(con)
        runs = _last_dagster_runs(settings)
        chronic = _has_table(con, "chronic_breaches")
        headers = ["month", "published run", "as-of", "checks", "statements", "credits"]
        headers += ["chronic"] if chronic else []
        headers += ["issuance"] if issuance else []
        headers += ["last Dagster run"] if runs is not None else []
        rows = []
        for m in months:
            run_id, started, as_of, source = con.execute(
                "SELECT run_id, run_started_at, as_of, as_of_source FROM main.report_runs WHERE month = ?", [m]
            ).fetchone()
            checks = run_checks(con, m, progress=len(months) == 1)
            failed = [c for c in checks if not c.passed]
            errors = sum(c.severity == "ERROR" for c in failed)
            verdict = (
                f"{len(checks) - len(failed)}/{len(checks)} pass"
                + (f", {errors} error" if errors else "")
                + (f", {len(failed) - errors} warn" if len(failed) - errors else "")
            )
            count, totals = _statement_totals(con, m)
            row = [m, f"{run_id} at {_text(started)}", f"{_text(as_of)} ({source})", verdict, count, totals]
            if chronic:
                # issue 13: the customers the policy's chronic_breaches rule flags (renewal risk)
                flagged = [c for (c,) in con.execute(
                    "SELECT customer_id FROM main.chronic_breaches WHERE month = ? AND is_chronic ORDER BY 1", [m]
                ).fetchall()]
                row.append(f"{len(flagged)}: {', '.join(flagged)}" if flagged else "-")
            if issuance:
                states = con.execute(
                    "SELECT status, count(*) FROM main.statement_status AS s JOIN main.statements AS t"
                    " USING (customer_id, month, version) WHERE s.month = ? AND t.is_current GROUP BY status ORDER BY status",
                    [m],
                ).fetchall()
                row.append(", ".join(f"{n} {s}" for s, n in states) or "-")
            if runs is not None:
                state, when = runs.get(m, (None, None))
                row.append(f"{state} at {_text(when)}" if state else "-")
            rows.append(row)
    print(text_table(headers, rows) if rows else "no month published yet", file=out)
    return EXIT_OK


def _statement_totals(con: duckdb.DuckDBPyConnection, month: str) -> tuple[int, str]:
    if not _has_table(con, "statements"):
        return 0, "-"
    rows = con.execute(
        "SELECT currency, count(*), sum(credit_amount) FROM main.statements WHERE month = ? AND is_current"
        " GROUP BY currency ORDER BY currency",
        [month],
    ).fetchall()
    count = sum(n for _, n, _ in rows)
    return count, ", ".join(_money(total, _minor_unit(cur), cur) for cur, _, total in rows) or "-"


# --- check -----------------------------------------------------------------------------------------------


def check(settings: Settings, month: str, limit: int, out) -> int:  # noqa: ANN001
    with open_published(settings) as con:
        _require_month(con, month, settings)
        results = run_checks(con, month)
    print(f"checks of {month} on {settings.warehouse}", file=out)
    print(
        text_table(
            ["check", "asset", "severity", "result", "violating rows"],
            [[c.name, c.asset, c.severity, "pass" if c.passed else "FAIL", len(c.rows)] for c in results],
        ),
        file=out,
    )
    for c in results:
        if c.passed:
            continue
        shown = c.rows[:limit]
        more = f" (first {limit} of {len(c.rows)}; --limit N shows more)" if len(c.rows) > limit else ""
        print(f"\n{c.name} ({c.severity}) — {len(c.rows)} violating rows{more}", file=out)
        print(text_table(c.columns, shown), file=out)
    blocking = [c.name for c in results if not c.passed and c.severity == "ERROR"]
    if blocking:
        print(f"\nblocking checks failed: {', '.join(blocking)}", file=out)
        return EXIT_CHECKS_FAILED
    return EXIT_OK


# --- statements ------------------------------------------------------------------------------------------


def _file_state(path: str, sha256: str) -> str:
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return "file missing"
    return "ok" if digest == sha256 else "file changed"


def statements(settings: Settings, month: str, out) -> int:  # noqa: ANN001
    with open_published(settings) as con:
        _require_month(con, month, settings)
        if not _has_table(con, "statements"):
            raise OpsError(f"the warehouse {settings.warehouse} has no statements table (no run rendered any)")
        issuance = _issuance(con)
        status_sql = (
            "(SELECT st.status FROM main.statement_status AS st WHERE st.customer_id = s.customer_id"
            " AND st.month = s.month AND st.version = s.version)"
            if issuance
            else "NULL"
        )
        rows = con.execute(
            "SELECT s.customer_id, c.name, s.credit_amount, s.currency, s.version, s.supersedes, "
            + status_sql
            + " AS status, s.path, s.sha256 FROM main.statements AS s"
            " LEFT JOIN main.customers AS c ON c.customer_id = s.customer_id AND c.month = s.month"
            " WHERE s.month = ? AND s.is_current ORDER BY s.customer_id",
            [month],
        ).fetchall()
    table = []
    for customer, name, amount, currency, version, supersedes, state, path, sha256 in rows:
        version_text = f"v{version}" + (f" (replaces v{supersedes})" if supersedes else "")
        file_state = _file_state(path, sha256)
        table.append(
            [
                customer,
                name,
                _money(amount, _minor_unit(currency), currency),
                version_text,
                state if issuance else file_state,
                *([file_state] if issuance else []),
                path,
            ]
        )
    headers = [
        "customer",
        "name",
        "credit",
        "version",
        "status" if issuance else "file",
        *(["file"] if issuance else []),
        "path",
    ]
    print(text_table(headers, table) if table else f"no statements for {month}", file=out)
    return EXIT_OK


# --- explain ---------------------------------------------------------------------------------------------


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object]) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(sql, list(params))
    return [d[0] for d in cursor.description], cursor.fetchall()


def explain(settings: Settings, month: str, customer: str, out) -> int:  # noqa: ANN001
    with open_published(settings) as con:
        _require_month(con, month, settings)
        found = con.execute(
            "SELECT name FROM main.customers WHERE month = ? AND customer_id = ?", [month, customer]
        ).fetchone()
        credit = con.execute(
            "SELECT currency, minor_unit, contract_ids, fee_base, total_minutes, unavailable_minutes, target,"
            " shortfall_numerator, shortfall_denominator, shortfall_steps, credit_pct, capped, credit_amount,"
            " credit_mode FROM main.credits WHERE month = ? AND customer_id = ?",
            [month, customer],
        ).fetchone()
        if found is None or credit is None:
            credited = [
                r[0]
                for r in con.execute(
                    "SELECT customer_id FROM main.credits WHERE month = ? ORDER BY customer_id", [month]
                ).fetchall()
            ]
            why = "is not a customer" if found is None else "has no enterprise contract (no statement)"
            raise OpsError(
                f"{customer!r} {why} in {month}; customers with a statement: {', '.join(credited) or 'none'}"
            )
        _explain(con, month, customer, found[0], credit, out)
    return EXIT_OK


def _explain(con, month: str, customer: str, name: str, credit: tuple, out) -> None:  # noqa: ANN001, PLR0915
    (
        currency,
        minor_unit,
        contract_ids,
        fee_base,
        total,
        unavailable,
        target,
        shortfall_num,
        shortfall_den,
        steps,
        credit_pct,
        capped,
        credit_amount,
        credit_mode,
    ) = credit

    def section(title: str) -> None:
        print(f"\n== {title}", file=out)

    print(f"{name} ({customer}) — {month}", file=out)
    statement = (
        con.execute(
            "SELECT version, statement_id, path, sha256 FROM main.statements"
            " WHERE month = ? AND customer_id = ? AND is_current",
            [month, customer],
        ).fetchone()
        if _has_table(con, "statements")
        else None
    )
    if statement:
        print(f"statement v{statement[0]} {statement[1]}: {statement[2]} (sha256 {statement[3][:16]}…)", file=out)
    as_of = con.execute("SELECT as_of, policy_version FROM main.report_runs WHERE month = ?", [month]).fetchone()
    print(f"as-of {_text(as_of[0])}, policy version {as_of[1]}", file=out)

    section("Measured periods and fee base (R3, R17, R19)  [measured_periods, credits]")
    _, periods = _fetch(
        con,
        "SELECT contract_id, plan, period_start, period_end, covered_minutes, month_minutes, monthly_fee, currency,"
        " minor_unit FROM main.measured_periods WHERE month = ? AND customer_id = ? ORDER BY period_start",
        [month, customer],
    )
    print(
        text_table(
            ["contract", "plan", "from", "until (excl.)", "minutes", "fee", "share of the month"],
            [
                [c, p, s, e, cov, _money(fee, mu, cur), f"{cov} / {mm} min"]
                for c, p, s, e, cov, mm, fee, cur, mu in periods
            ],
        ),
        file=out,
    )
    print(
        f"fee base = Σ fee × covered / month minutes of the enterprise contracts ({contract_ids}),"
        f" each half-up to the minor unit = {_money(fee_base, minor_unit, currency)}",
        file=out,
    )

    section("Uptime (R14–R17)  [uptime_monthly]")
    _, uptime_rows = _fetch(
        con,
        "SELECT plan, total_minutes, unavailable_minutes, maintenance_minutes, customer_caused_minutes,"
        " upstream_minutes, no_data_minutes, uptime, target FROM main.uptime_monthly"
        " WHERE month = ? AND customer_id = ? ORDER BY plan",
        [month, customer],
    )
    print(
        text_table(
            [
                "plan",
                "T",
                "U unavailable",
                "maintenance",
                "customer_caused",
                "upstream",
                "no_data",
                "uptime %",
                "target %",
            ],
            [
                [*r[:7], format_pct_truncated(r[7]), format_pct_truncated(r[8]) if r[8] is not None else "-"]
                for r in uptime_rows
            ],
        ),
        file=out,
    )
    print(
        "minutes; uptime = 1 − U/T truncated (never rounded up); excluded and no-data minutes never lower it", file=out
    )

    section("Minutes per class, as periods of consecutive minutes  [availability_minutes, exclusion_windows]")
    _, minute_periods = _fetch(
        con,
        "WITH m AS (SELECT plan, state, window_id, minute,"
        " minute - to_minutes(row_number() OVER (PARTITION BY plan, state, window_id ORDER BY minute)) AS run"
        " FROM main.availability_minutes WHERE month = ? AND customer_id = ?)"
        " SELECT m.plan, m.state, min(m.minute), max(m.minute) + INTERVAL 1 MINUTE, count(*), m.window_id,"
        " any_value(w.kind), any_value(w.description)"
        " FROM m LEFT JOIN main.exclusion_windows AS w"
        "   ON w.month = ? AND w.customer_id = ? AND w.window_id = m.window_id"
        " GROUP BY m.plan, m.state, m.window_id, m.run ORDER BY 3",
        [month, customer, month, customer],
    )
    print(
        text_table(
            ["plan", "class", "from", "until (excl.)", "minutes", "window", "why"],
            [
                [
                    p,
                    s,
                    a,
                    b,
                    n,
                    w,
                    f"{k}: {d}"
                    if w
                    else (
                        "probe failures"
                        if s == "unavailable"
                        else "no probe result"
                        if s == "no_data"
                        else "upstream errors only"
                        if s == "upstream"
                        else "-"
                    ),
                ]
                for p, s, a, b, n, w, k, d in minute_periods
            ],
        )
        if minute_periods
        else "every measured minute was up",
        file=out,
    )
    totals: dict[tuple[str, str], int] = {}
    for p, s, _, _, n, *_ in minute_periods:
        totals[(p, s)] = totals.get((p, s), 0) + n
    print("totals: " + (", ".join(f"{p} {s} {n}" for (p, s), n in sorted(totals.items())) or "none"), file=out)

    section("Windows and incidents touching the month (R16)  [exclusion_windows]")
    _, windows = _fetch(
        con,
        "SELECT window_id, kind, starts_at, ends_at, cause, notice_minutes, qualifies, excused_minutes, description"
        " FROM main.exclusion_windows WHERE month = ? AND customer_id = ? ORDER BY starts_at, window_id",
        [month, customer],
    )
    print(
        text_table(
            [
                "window",
                "kind",
                "from",
                "until (excl.)",
                "cause",
                "notice min",
                "can excuse",
                "excused min",
                "description",
            ],
            windows,
        )
        if windows
        else "none",
        file=out,
    )
    print(
        "a window excuses minutes only if it qualifies: maintenance announced > 48 h (2880 min) ahead, or a"
        " customer_caused incident",
        file=out,
    )

    section("Credit (R18, R19)  [credits]")
    shortfall = Decimal(shortfall_num) / Decimal(shortfall_den) if shortfall_den else Decimal(0)
    print(
        f"shortfall = U/T − (1 − target) = {unavailable}/{total} − (1 − {target}) = {shortfall_num}/{shortfall_den}"
        f" ≈ {shortfall:.8f}" + ("  (≤ 0: target met)" if shortfall_num <= 0 else ""),
        file=out,
    )
    print(
        f"steps ({credit_mode}) = {steps}; credit = {credit_pct} % of the fee base" + (" (capped)" if capped else ""),
        file=out,
    )
    print(
        f"credit = {credit_pct} % × {_money(fee_base, minor_unit, currency)}, half-up to the minor unit"
        f" = {_money(credit_amount, minor_unit, currency)}",
        file=out,
    )

    section("Support tickets per clock (R5–R12)  [ticket_sla, ticket_sla_segments]")
    _, clocks = _fetch(
        con,
        "SELECT ticket_id, plan, clock, severity, business_time, target_seconds, elapsed_seconds, status, clock_state,"
        " started_at, stopped_at, due_at, breached_at FROM main.ticket_sla WHERE month = ? AND customer_id = ?"
        " ORDER BY ticket_id, clock DESC",
        [month, customer],
    )
    has_segments = _has_table(con, "ticket_sla_segments")
    if not clocks:
        print("no ticket created in the month", file=out)
    for (
        ticket,
        plan,
        clock,
        severity,
        business,
        target_s,
        elapsed_s,
        state,
        clock_state,
        started,
        stopped,
        due,
        breached_at,
    ) in clocks:
        kind = "business" if business else "calendar"
        of_target = f"of {duration(target_s)}" if target_s is not None else "(no target for this severity)"
        print(
            f"\n{ticket} {clock} ({plan}): {state} — {severity}, {duration(elapsed_s)} {kind} {of_target};"
            f" clock {clock_state}, started {_text(started)}, stopped {_text(stopped)},"
            f" due {_text(due)}, breached {_text(breached_at)}",
            file=out,
        )
        if has_segments:
            _, segments = _fetch(
                con,
                "SELECT segment_no, severity, segment_start, segment_end, since_at, target_seconds, elapsed_seconds,"
                " breached, breached_at FROM main.ticket_sla_segments WHERE month = ? AND ticket_id = ? AND clock = ?"
                " ORDER BY segment_no",
                [month, ticket, clock],
            )
            print(
                text_table(
                    ["  segment", "severity", "from", "until", "counted since", "target", "elapsed", "breached", "at"],
                    [
                        [f"  {n}", sev, a, b, since, duration(t), duration(e), br, at]
                        for n, sev, a, b, since, t, e, br, at in segments
                    ],
                ),
                file=out,
            )

    section("Attainment per severity and clock (R12)  [support_attainment]")
    _, attainment = _fetch(
        con,
        "SELECT plan, severity, clock, met, breached, pending, no_target, attainment FROM main.support_attainment"
        " WHERE month = ? AND customer_id = ? ORDER BY plan, severity, clock DESC",
        [month, customer],
    )
    print(
        text_table(
            ["plan", "severity", "clock", "met", "breached", "pending", "no_target", "attainment %"],
            [[*r[:7], format_pct_truncated(r[7]) if r[7] is not None else "-"] for r in attainment],
        )
        if attainment
        else "none",
        file=out,
    )


# --- export ----------------------------------------------------------------------------------------------


def exportable_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables of `main` with a `month` column (the marts, statements, runs); not the probe views, which
    read the raw drop."""
    return [
        r[0]
        for r in con.execute(
            "SELECT t.table_name FROM duckdb_tables() AS t JOIN duckdb_columns() AS c"
            " ON c.schema_name = t.schema_name AND c.table_name = t.table_name AND c.column_name = 'month'"
            " WHERE t.schema_name = 'main' AND t.database_name = current_database() ORDER BY t.table_name"
        ).fetchall()
    ]


def _select_list(con: duckdb.DuckDBPyConnection, table: str, fmt: str) -> str:
    """Every column; for CSV, lists, structs and maps as JSON text (CSV has no nested values)."""
    columns = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ?"
        " ORDER BY column_index",
        [table],
    ).fetchall()
    nested = ("[]", "STRUCT", "MAP", "UNION")
    return ", ".join(
        f'to_json("{name}")::VARCHAR AS "{name}"' if fmt == "csv" and any(n in data_type for n in nested) else f'"{name}"'
        for name, data_type in columns
    )


def export(settings: Settings, month: str, fmt: str, out_dir: Path, out) -> int:  # noqa: ANN001
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except BrokenPipeError:  # `sla-report explain … | head`: the reader has seen enough
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return EXIT_OK
    except OSError as exc:
        raise OpsError(f"cannot create --out {out_dir}: {exc.strerror}") from exc
    if not os.access(out_dir, os.W_OK):
        raise OpsError(f"cannot write to --out {out_dir}")
    written = []
    with open_published(settings) as con:
        _require_month(con, month, settings)
        tables = exportable_tables(con)
        comments = dict(
            con.execute(
                "SELECT table_name || '.' || column_name, comment FROM duckdb_columns() WHERE schema_name = 'main'"
            ).fetchall()
        )
        for table in _progress(tables, len(tables), f"export {month}"):
            # table names come from the catalog above, the month is bound
            data = con.sql(
                f'SELECT {_select_list(con, table, fmt)} FROM main."{table}" WHERE month = $month',
                params={"month": month},
            ).to_arrow_table()
            target = out_dir / f"{table}.{fmt}"
            tmp = target.with_name(target.name + ".partial")
            if fmt == "parquet":
                # the warehouse's column comments travel with the file
                fields = [
                    f.with_metadata({"comment": comments[f"{table}.{f.name}"]})
                    if comments.get(f"{table}.{f.name}")
                    else f
                    for f in data.schema
                ]
                pq.write_table(data.cast(pa.schema(fields)), tmp)
            else:
                pa_csv.write_csv(spreadsheet_table(data), tmp)  # no cell runs as a formula
            os.replace(tmp, target)
            written.append((target.name, data.num_rows))
    print(f"exported {month} from {settings.warehouse} to {out_dir}", file=out)
    print(text_table(["file", "rows"], written), file=out)
    return EXIT_OK


# --- argparse wiring -------------------------------------------------------------------------------------


def _month_argument(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--month", required=required, metavar="YYYY-MM", help="a published month, e.g. 2026-10")


def add_commands(commands: argparse._SubParsersAction, environment_epilog: str) -> None:
    """Register the read-only commands on `sla-report`'s sub-parsers."""

    def add(name: str, help_text: str, description: str, example: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=description + " Reads the published warehouse (SLA_WAREHOUSE) read-only; never blocks a run.",
            epilog=f"example:\n  {example}\n\n{EXIT_CODES}\n{environment_epilog}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    status_parser = add(
        "status",
        "the published months: last run, checks, statements, credits",
        "One line per published month: the run that produced it and its as-of, how many checks pass, the current"
        " statements and their credits per currency, the customers flagged as chronic breaches, issuance (when the"
        " warehouse has the finance ledger's"
        " statement_status) and the newest Dagster run of the month in DAGSTER_HOME (a later failed run shows here).",
        "sla-report status --month 2026-10",
    )
    _month_argument(status_parser, required=False)
    check_parser = add(
        "check",
        "the month's data-quality checks as a table, with the violating rows",
        "Runs every check of sql/checks/ (the same the Dagster job runs) on one month and prints pass/FAIL per"
        " check, then the violating rows of each failing check. Exit 3 when a blocking ERROR check fails.",
        "sla-report check --month 2026-10 --limit 50",
    )
    _month_argument(check_parser)
    check_parser.add_argument(
        "--limit", type=int, default=20, metavar="N", help="violating rows shown per check (default 20)"
    )
    statements_parser = add(
        "statements",
        "the month's current statements: customer, credit, status, path",
        "One line per current statement of the month: customer, credit in its currency's minor unit, version,"
        " status (issuance when the finance ledger exists, else whether the PDF on disk still has its recorded"
        " sha256: ok / file changed / file missing) and the PDF's path.",
        "sla-report statements --month 2026-10",
    )
    _month_argument(statements_parser)
    explain_parser = add(
        "explain",
        "every figure of one customer's statement and where it came from",
        "For one customer-month: the measured periods and fee base; T, U and each excluded class of minutes with"
        " the periods, maintenance windows and incidents behind them; the credit computation step by step; every"
        " ticket clock with its severity segments; attainment. Each section names the warehouse tables it reads.",
        "sla-report explain --month 2026-10 --customer globex",
    )
    _month_argument(explain_parser)
    explain_parser.add_argument("--customer", required=True, metavar="CUSTOMER_ID", help="the customer_id, e.g. globex")
    export_parser = add(
        "export",
        "write the month's marts as Parquet or CSV files",
        "Writes one file per warehouse table with a month column (<table>.parquet or <table>.csv, the month's"
        " rows only) into --out, for people who should not open the DuckDB file. Parquet columns carry the"
        " warehouse's column comments. Existing files of the same names are replaced.",
        "sla-report export --month 2026-10 --format parquet --out exports/2026-10",
    )
    _month_argument(export_parser)
    export_parser.add_argument("--format", required=True, choices=EXPORT_FORMATS, help="file format")
    export_parser.add_argument(
        "--out", required=True, type=Path, metavar="DIR", help="folder to write (created if missing)"
    )


def run(args: argparse.Namespace, out=None) -> int:  # noqa: ANN001
    """Run one of COMMANDS (printing to `out`, default stdout); raises OpsError with the one line to print."""
    try:
        return _run(args, out or sys.stdout)
    except duckdb.Error as exc:
        raise OpsError(f"{args.command}: the warehouse query failed: {str(exc).splitlines()[0]}") from exc
    except BrokenPipeError:  # `sla-report explain … | head`: the reader has seen enough
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return EXIT_OK
    except OSError as exc:
        raise OpsError(f"{args.command}: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from exc


def _run(args: argparse.Namespace, out) -> int:  # noqa: ANN001
    settings = Settings.from_env()
    if args.command == "status":
        return status(settings, args.month, out)
    if args.command == "check":
        if args.limit < 1:
            raise OpsError("--limit must be at least 1")
        return check(settings, args.month, args.limit, out)
    if args.command == "statements":
        return statements(settings, args.month, out)
    if args.command == "explain":
        return explain(settings, args.month, args.customer, out)
    if args.command == "export":
        return export(settings, args.month, args.format, args.out.resolve(), out)
    raise OpsError(f"unknown command {args.command}")


__all__ = ["COMMANDS", "EXIT_CODES", "OpsError", "add_commands", "run", "text_table", "duration"]
