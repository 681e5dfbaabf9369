"""`render_month`: the Dagster-free entry point that writes a month's credit statements (R21).

For each enterprise customer-month (each row of `credits`): build the view-model, render the PDF in
a worker process, put it in place with its version, record it in the `statements` table; then write
the finance summary (`statements.csv`, `_summary.pdf`). The Dagster asset and the CLI call this and
only add their progress display.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.faults import kill_point
from pipeline.months import parse_month
from pipeline.statements import figures, files
from pipeline.statements.builder import build_views
from pipeline.statements.document import statement_document, statement_id
from pipeline.statements.finance_summary import SummaryLine, month_summary, summary_unchanged, write_summary
from pipeline.statements.parallel import Rendered, render_views
from pipeline.statements.queries import fetch_rows
from pipeline.statements.render import Renderer
from pipeline.statements.restatement import describe_changes, figures_digest
from pipeline.statements.viewmodel import CreditTerms, Restatement, StatementError, StatementView
from pipeline.warehouse.connection import connection

LOG = logging.getLogger(__name__)

STATEMENTS_TABLE_COLUMNS = (
    "customer_id VARCHAR NOT NULL, month VARCHAR NOT NULL, version INTEGER NOT NULL, "
    "is_current BOOLEAN NOT NULL, supersedes INTEGER, path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, "
    "credit_amount DECIMAL(38,4), currency VARCHAR, statement_id VARCHAR, input_fingerprint VARCHAR, "
    "as_of TIMESTAMPTZ"
)
# Columns added by restatements (issue 9); `ALTER TABLE … ADD COLUMN IF NOT EXISTS` brings an older
# warehouse along.
RESTATEMENT_COLUMNS = (
    ("figures_sha256", "VARCHAR"),
    ("supersedes_statement_id", "VARCHAR"),
    ("restatement_reason", "VARCHAR"),
    ("produced_at", "TIMESTAMPTZ"),
)
RECORD_FIELDS = (
    "customer_id",
    "month",
    "version",
    "is_current",
    "supersedes",
    "path",
    "sha256",
    "credit_amount",
    "currency",
    "statement_id",
    "input_fingerprint",
    "as_of",
    "figures_sha256",
    "supersedes_statement_id",
    "restatement_reason",
    "produced_at",
)

NEW, RESTATED, UNCHANGED = "new", "restated", "unchanged"


@dataclass(frozen=True)
class StatementRecord:
    """One row of the `statements` table (and, in `status`, what this run did with it)."""

    customer_id: str
    month: str
    version: int
    is_current: bool
    supersedes: int | None
    path: str
    sha256: str
    credit_amount: Decimal | None
    currency: str | None
    statement_id: str | None
    input_fingerprint: str | None
    as_of: datetime | None
    figures_sha256: str | None = None
    supersedes_statement_id: str | None = None
    restatement_reason: str | None = None
    produced_at: datetime | None = None
    status: str = NEW
    rendered: bool = False  # rendered by this run (new or restated), not kept or adopted


def ensure_statements_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE TABLE IF NOT EXISTS main.statements ({STATEMENTS_TABLE_COLUMNS})")
    for name, sql_type in RESTATEMENT_COLUMNS:
        # names and types are the constants above, never input
        con.execute(f"ALTER TABLE main.statements ADD COLUMN IF NOT EXISTS {name} {sql_type}")


@dataclass(frozen=True)
class _Current:
    """The `statements` table's current row of a customer-month."""

    version: int
    sha256: str
    figures_sha256: str | None
    statement_id: str | None
    produced_at: datetime | None
    as_of: datetime | None
    input_fingerprint: str | None


def _recorded(con: duckdb.DuckDBPyConnection, month: str) -> dict[str, _Current]:
    rows = con.execute(
        "SELECT customer_id, version, sha256, figures_sha256, statement_id, produced_at, as_of, input_fingerprint"
        " FROM main.statements WHERE month = $month AND is_current",
        {"month": month},
    ).fetchall()
    return {c: _Current(int(v), h, f, sid, p, a, fp) for c, v, h, f, sid, p, a, fp in rows}


def _write_records(con: duckdb.DuckDBPyConnection, month: str, rows: list[StatementRecord]) -> None:
    """Mark the previous current rows of restated customers as superseded (pointing at the file they
    were moved to) and insert the new rows — one transaction."""
    if not rows:
        return
    statement_rows = pa.table({f: [getattr(r, f) for r in rows] for f in RECORD_FIELDS})  # noqa: F841
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "DELETE FROM main.statements AS s USING statement_rows AS t "
            "WHERE s.month = $month AND s.customer_id = t.customer_id AND s.version = t.version",
            {"month": month},
        )
        con.execute(
            "UPDATE main.statements SET is_current = false "
            "WHERE month = $month AND is_current "
            "AND customer_id IN (SELECT customer_id FROM statement_rows WHERE is_current)",
            {"month": month},
        )
        con.execute(f"INSERT INTO main.statements ({', '.join(RECORD_FIELDS)}) SELECT * FROM statement_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _document_of(pdf: Path) -> dict | None:
    """The statement.json attached to a statement file, or None if it cannot be read."""
    from pipeline.statements.inspect import statement_json_of

    try:
        return statement_json_of(pdf)
    except Exception:  # noqa: BLE001 - an unreadable old file is described as such, never fatal
        return None


@dataclass
class MonthPlan:
    """What a run will do with a month's statements, decided from figures before anything is rendered.

    `jobs` are the statements to render (view, temporary target beside its final name): new ones and
    restated ones only — a statement whose figures equal the current version's is kept as it is, so
    unchanged inputs render nothing. `outcome` holds every customer's record as it will be (sha256 of
    the rendered ones filled in by `finish_month`), `archive_moves` the current files a restatement
    moves aside as `<customer>.v<N>.pdf`. Picklable: the Dagster fan-out passes it between steps."""

    month: str
    folder: Path
    published_folder: Path
    as_of: datetime
    final_views: list[StatementView]
    outcome: dict[str, StatementRecord]
    jobs: list[tuple[StatementView, Path]]
    archive_moves: list[tuple[Path, Path]]

    def shards(self, count: int) -> list[list[tuple[StatementView, Path]]]:
        """The render jobs dealt round-robin into at most `count` non-empty shards (none when nothing
        is to be rendered); the same plan always gives the same shards."""
        count = max(1, min(count, len(self.jobs)))
        dealt: list[list[tuple[StatementView, Path]]] = [[] for _ in range(count)]
        for index, job in enumerate(self.jobs):
            dealt[index % count].append(job)
        return [shard for shard in dealt if shard]


@dataclass(frozen=True)
class MonthOutcome:
    """What `finish_month` recorded: the current record of every customer, and whether the finance
    summary (`statements.csv`, `_summary.pdf`) was written again or kept byte for byte."""

    records: list[StatementRecord]
    summary_written: bool

    @property
    def rendered(self) -> list[str]:
        return [r.customer_id for r in self.records if r.rendered]


def plan_month(
    con: duckdb.DuckDBPyConnection,
    month: str,
    statements_dir: Path,
    *,
    as_of: datetime,
    input_fingerprints: Mapping[str, str] | None = None,
    credit_scheme: Any | None = None,
    published_dir: Path | None = None,
    produced_at: datetime | None = None,
) -> MonthPlan:
    """Compare every statement's figures with its current version and decide what to render (nothing
    is rendered or moved here; see `render_month` for the arguments)."""
    if as_of.tzinfo is None:
        raise StatementError("as_of must be timezone-aware (an instant, not a wall-clock time)")
    produced_at = (produced_at or datetime.now(UTC)).replace(microsecond=0)
    folder = files.month_dir(statements_dir, month)
    published_folder = files.month_dir(published_dir or statements_dir, month)
    views = build_views(
        con,
        month,
        as_of,
        input_fingerprints_by_customer=input_fingerprints,
        credit_terms=None if credit_scheme is None else CreditTerms.of(credit_scheme),
    )
    ensure_statements_table(con)
    recorded = _recorded(con, month)
    folder.mkdir(parents=True, exist_ok=True)

    final_views: list[StatementView] = []
    outcome: dict[str, StatementRecord] = {}
    to_render: list[tuple[StatementView, Path]] = []
    archive_moves: list[tuple[Path, Path]] = []
    for view in views:
        digest = figures_digest(statement_document(view))
        current_file = files.statement_path(folder, view.customer_id)
        known = recorded.get(view.customer_id)
        on_disk = files.file_sha256(current_file) if current_file.exists() else None
        previous_doc: dict | None = None
        if known is not None and on_disk == known.sha256:
            known_digest = known.figures_sha256
            if known_digest is None:  # a row written before figures were recorded: read the file's
                previous_doc = _document_of(current_file)
                known_digest = None if previous_doc is None else figures_digest(previous_doc)
            if known_digest == digest:
                outcome[view.customer_id] = StatementRecord(
                    view.customer_id, month, known.version, True, None,
                    str(files.statement_path(published_folder, view.customer_id)), known.sha256,
                    view.credit.credit_amount, view.credit.currency, known.statement_id,
                    known.input_fingerprint, known.as_of, digest, status=UNCHANGED,
                )
                final_views.append(replace(view, statement_id=known.statement_id or view.statement_id))
                if known.figures_sha256 is None:
                    con.execute(
                        "UPDATE main.statements SET figures_sha256 = $digest"
                        " WHERE month = $month AND customer_id = $customer_id AND version = $version",
                        {"digest": digest, "month": month, "customer_id": view.customer_id, "version": known.version},
                    )
                continue
            previous = (known.version, known.statement_id, known.produced_at)
        elif on_disk is not None:
            # A file the table does not list (a folder of the old layout, or a warehouse rebuilt from
            # scratch): it is the version before the one this run writes, whatever its figures.
            previous_doc = _document_of(current_file)
            version = files.highest_archived_version(folder, view.customer_id) + 1
            if previous_doc is not None and figures_digest(previous_doc) == digest:
                outcome[view.customer_id] = StatementRecord(
                    view.customer_id, month, version, True, version - 1 or None,
                    str(files.statement_path(published_folder, view.customer_id)), on_disk,
                    view.credit.credit_amount, view.credit.currency, previous_doc.get("statement_id"),
                    view.input_fingerprint, view.as_of, digest, produced_at=produced_at, status=NEW,
                )
                final_views.append(replace(view, statement_id=previous_doc.get("statement_id") or view.statement_id))
                continue
            previous = (version, None if previous_doc is None else previous_doc.get("statement_id"), None)
        else:
            previous = None
            if known is not None and known.figures_sha256 != digest:
                # The recorded file is missing and the figures changed: a new version.
                previous = (known.version, known.statement_id, known.produced_at)
        if previous is None:
            # A first version — or the recorded one, missing from the folder, rendered again.
            version = known.version if known is not None else files.highest_archived_version(folder, view.customer_id) + 1
            final = view
            outcome[view.customer_id] = StatementRecord(
                view.customer_id, month, version, True, version - 1 or None,
                str(files.statement_path(published_folder, view.customer_id)), "",
                view.credit.credit_amount, view.credit.currency, view.statement_id,
                view.input_fingerprint, view.as_of, digest, produced_at=produced_at, status=NEW, rendered=True,
            )
        else:
            old_version, old_id, old_produced = previous
            if previous_doc is None and on_disk is not None:
                previous_doc = _document_of(current_file)
            changes = describe_changes(previous_doc, statement_document(view))
            restated = replace(
                view,
                restatement=Restatement(old_id, old_version, old_produced, changes),
            )
            final = replace(restated, statement_id=statement_id(restated))
            outcome[view.customer_id] = StatementRecord(
                view.customer_id, month, old_version + 1, True, old_version,
                str(files.statement_path(published_folder, view.customer_id)), "",
                view.credit.credit_amount, view.credit.currency, final.statement_id,
                view.input_fingerprint, view.as_of, digest, old_id, changes, produced_at, status=RESTATED,
                rendered=True,
            )
            if on_disk is not None:
                archive_moves.append((current_file, files.statement_path(folder, view.customer_id, old_version)))
        final_views.append(final)
        to_render.append((final, files.temporary_path(current_file)))

    return MonthPlan(month, folder, published_folder, as_of, final_views, outcome, to_render, archive_moves)


def render_shard(
    jobs: Sequence[tuple[StatementView, Path]],
    *,
    workers: int | None = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[Rendered]:
    """Render one shard of a plan's jobs to their temporary targets (no database, no final names):
    what a fan-out step runs. `workers` 1 renders in this process; None uses one process per core."""
    return render_views(jobs, workers=workers, progress=progress)


def finish_month(
    con: duckdb.DuckDBPyConnection,
    plan: MonthPlan,
    rendered: Iterable[Rendered],
    *,
    previous_chronic: Mapping[str, str] | None = None,
) -> MonthOutcome:
    """Put the rendered statements in place, record every version, write the finance summary.

    `rendered` must cover exactly the plan's jobs (a missing or foreign statement is refused before
    anything moves). The summary is kept byte for byte when nothing was rendered, its
    `statements.csv` lines are the same, and the month's chronic-breach flags equal
    `previous_chronic` (what the summary in the folder printed; None = unknown, write it again)."""
    month, folder, published_folder = plan.month, plan.folder, plan.published_folder
    outcome = dict(plan.outcome)
    by_customer = {r.customer_id: r for r in rendered}
    expected = {view.customer_id for view, _ in plan.jobs}
    if set(by_customer) != expected:
        raise StatementError(
            f"statements {month}: the render steps returned {sorted(by_customer)} but the plan renders "
            f"{sorted(expected)}; nothing was recorded"
        )
    try:
        for current_file, archive in plan.archive_moves:
            if archive.exists() and files.file_sha256(archive) != files.file_sha256(current_file):
                raise StatementError(
                    f"{archive} already exists with other content than {current_file}; "
                    "refusing to overwrite a kept version"
                )
            os.replace(current_file, archive)
        new_rows: list[StatementRecord] = []
        for view, _ in plan.jobs:
            result = by_customer[view.customer_id]
            os.replace(result.path, files.statement_path(folder, view.customer_id))
            kill_point("mid_render")  # one statement in place in the release, the others not yet
            record = replace(outcome[view.customer_id], sha256=result.sha256)
            outcome[view.customer_id] = record
            new_rows.append(record)
        for record in outcome.values():
            if record.status == NEW and record.sha256 and record not in new_rows:
                new_rows.append(record)  # an adopted old-layout file
        for current_file, archive in plan.archive_moves:
            rows = con.execute(
                "SELECT count(*) FROM main.statements WHERE month = $month AND customer_id = $customer_id",
                {"month": month, "customer_id": archive.name.split(".v")[0]},
            ).fetchone()[0]
            if not rows:
                # The file moved aside had no row (an old-layout folder): record it as superseded.
                customer_id = archive.name.split(".v")[0]
                version = outcome[customer_id].version - 1
                new_rows.append(
                    StatementRecord(
                        customer_id, month, version, False, version - 1 or None,
                        str(published_folder / archive.name), files.file_sha256(archive),
                        None, None, outcome[customer_id].supersedes_statement_id, None, None,
                    )
                )
        _write_records(con, month, new_rows)
        # Every row of the month names its file where it is published: `<customer>.pdf` when current,
        # `<customer>.v<N>.pdf` when superseded (also after SLA_STATEMENTS_DIR moved).
        con.execute(
            "UPDATE main.statements SET path = $folder || '/' || customer_id"
            " || CASE WHEN is_current THEN '' ELSE '.v' || version::VARCHAR END || '.pdf'"
            " WHERE month = $month",
            {"folder": str(published_folder), "month": month},
        )
        lines = [
            SummaryLine(view, files.statement_path(folder, view.customer_id).name, outcome[view.customer_id].sha256,
                        outcome[view.customer_id].version)
            for view in plan.final_views
        ]
        label = figures.month_label(parse_month(month)[0])
        chronic = {r["customer_id"]: r["reason"] for r in fetch_rows(con, "chronic", {"month": month})}
        summary = month_summary(month, label, plan.as_of, lines, chronic)
        keep = not plan.jobs and previous_chronic is not None and dict(previous_chronic) == summary.chronic
        summary_written = not (keep and summary_unchanged(folder, summary))
        if summary_written:
            write_summary(folder, summary, Renderer())
    finally:
        for _, tmp in plan.jobs:
            tmp.unlink(missing_ok=True)
    current = [outcome[view.customer_id] for view in plan.final_views]
    LOG.info(
        "statements %s: %d current (%d rendered; %d new, %d restated, %d unchanged), summary %s, in %s",
        month,
        len(current),
        sum(r.rendered for r in current),
        sum(r.status == NEW for r in current),
        sum(r.status == RESTATED for r in current),
        sum(r.status == UNCHANGED for r in current),
        "written" if summary_written else "kept",
        folder,
    )
    return MonthOutcome(current, summary_written)


def chronic_flags(warehouse: Path | None, month: str) -> dict[str, str] | None:
    """The month's chronic-breach flags (customer → reason) as `warehouse` holds them — the published
    warehouse a run started from, i.e. what the summary in its release printed; None when unknown."""
    if warehouse is None:
        return None
    try:
        with connection(warehouse, read_only=True) as con:
            return {r["customer_id"]: r["reason"] for r in fetch_rows(con, "chronic", {"month": month})}
    except duckdb.Error:  # a warehouse from before chronic_breaches: unknown, so the summary is rewritten
        return None


def render_month(
    con: duckdb.DuckDBPyConnection,
    month: str,
    statements_dir: Path,
    *,
    as_of: datetime,
    input_fingerprints: Mapping[str, str] | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    credit_scheme: Any | None = None,
    published_dir: Path | None = None,
    produced_at: datetime | None = None,
    previous_chronic: Mapping[str, str] | None = None,
) -> list[StatementRecord]:
    """Write every enterprise statement of `month` into `statements_dir/YYYY-MM/`; return the current records.

    Figures are compared before anything is rendered (`plan_month`): a statement whose figures
    (statement.json without as-of and run metadata) equal the current version's is not rendered and
    its file is kept byte for byte (status `unchanged`); a changed one is rendered as a new version that
    says what it supersedes and what changed, the old file kept as `<customer>.v<N>.pdf` (`restated`).

    `statements_dir` is where files are written (the run's release folder); `published_dir` is where
    they are read once published, which is what the `statements` table records (default: the same).
    `as_of` (timezone-aware) is printed and dates the files; `produced_at` (default now) is when this
    run made its versions. `input_fingerprints` maps customer id → sha256 of its input rows (computed
    here when absent). `workers` None = one process per core. `progress(done, total)` is called as
    statements finish. `credit_scheme` (`pipeline.policy.CreditScheme`) is printed when given.
    `previous_chronic`: see `finish_month`.
    """
    plan = plan_month(
        con,
        month,
        statements_dir,
        as_of=as_of,
        input_fingerprints=input_fingerprints,
        credit_scheme=credit_scheme,
        published_dir=published_dir,
        produced_at=produced_at,
    )
    try:
        rendered = render_shard(plan.jobs, workers=workers, progress=progress)
    except BaseException:
        for _, tmp in plan.jobs:
            tmp.unlink(missing_ok=True)
        raise
    return finish_month(con, plan, rendered, previous_chronic=previous_chronic).records


__all__ = [
    "render_month",
    "chronic_flags",
    "plan_month",
    "render_shard",
    "finish_month",
    "MonthPlan",
    "MonthOutcome",
    "StatementRecord",
    "ensure_statements_table",
    "STATEMENTS_TABLE_COLUMNS",
    "NEW",
    "RESTATED",
    "UNCHANGED",
]
