"""Gates before publication (issue 9): every ERROR check runs before anything is published, and a
failing one leaves the published warehouse and statements exactly as they were. Real Dagster runs on
the small months drop (tests/fixtures/months.py); thresholds come from the default policy."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import dagster as dg
import pytest
from fixtures.drops import ticket
from fixtures.months import write_months_drop
from fixtures.publication import invariant_violations

from pipeline.defs import defs
from pipeline.defs.jobs import MONTHLY_JOB_NAME
from pipeline.defs.resources import SlaEnvironment
from pipeline.warehouse.build import current_release

MONTH = "2026-03"


def _run(drop: Path, out: Path) -> dg.ExecuteInProcessResult:
    sla = SlaEnvironment(data_dir=str(drop), warehouse=str(out / "sla.duckdb"), statements_dir=str(out / "statements"))
    with dg.instance_for_test() as instance:
        return defs.resolve_job_def(MONTHLY_JOB_NAME).execute_in_process(
            partition_key=MONTH, instance=instance, resources={"sla": sla}, raise_on_error=False
        )


def _failed_checks(result: dg.ExecuteInProcessResult) -> list[tuple[str, str]]:
    return [
        (e.check_name, e.severity.value)
        for e in (ev.event_specific_data for ev in result.all_events if ev.event_type_value == "ASSET_CHECK_EVALUATION")
        if not e.passed
    ]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """March published once from a good drop: what a failing rerun must leave alone."""
    root = tmp_path_factory.mktemp("gates")
    drop = write_months_drop(root / "drop", {MONTH: 120})
    result = _run(drop, root / "out")
    assert result.success and _failed_checks(result) == [("as_of_before_month_end", "WARN")]
    return drop, root / "out"


def _copy_published(published, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the good drop to spoil, and the published output itself (a failing run must not touch it)."""
    drop, out = published
    shutil.copytree(drop, tmp_path / "drop")
    return tmp_path / "drop", out


def _state(out: Path) -> tuple:
    current = current_release(out / "sla.duckdb")
    pdfs = sorted((p.name, p.read_bytes()) for p in (out / "statements" / MONTH).glob("*.pdf"))
    return current.name, (out / "sla.duckdb").read_bytes(), pdfs


def test_a_good_month_passes_every_gate_and_is_published(published):
    _, out = published
    assert (out / "statements" / MONTH / "acme.pdf").is_file()
    assert invariant_violations(out / "sla.duckdb", out / "statements") == []


def test_rejected_share_above_5_percent_blocks_publication(published, tmp_path):
    drop, out = _copy_published(published, tmp_path)
    before = _state(out)
    with open(drop / "tickets.csv", "a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=next(csv.reader(open(drop / "tickets.csv"))))
        for n in range(98):  # 1 + 98 good + 7 bad = 106 rows, 6.6 % rejected
            writer.writerow(ticket(f"T-OK-{n}", "2026-03-04T10:00:00Z", severity="S3"))
        for n in range(7):
            writer.writerow(ticket(f"T-BAD-{n}", "2026-03-04T10:00:00Z", severity="S9"))
    result = _run(drop, out)
    assert not result.success
    # the gate stops the run after ingestion: no figure is computed, the WARN check lists the rows
    assert sorted(_failed_checks(result)) == [
        ("as_of_before_month_end", "WARN"), ("rejected_input_rows", "WARN"), ("rejected_share_above_limit", "ERROR")
    ]
    assert _state(out) == before  # nothing published: same release, same warehouse bytes, same PDFs
    assert invariant_violations(out / "sla.duckdb", out / "statements") == []


def test_probe_coverage_below_90_percent_blocks_publication(published, tmp_path):
    drop, out = _copy_published(published, tmp_path)
    before = _state(out)
    probes = drop / "probes" / "probes.csv"
    rows = list(csv.DictReader(open(probes, encoding="utf-8")))
    kept = [r for r in rows if r["probed_at"] >= "2026-03-05"]  # 4 days of 31 without data: 87.1 % covered
    with open(probes, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    result = _run(drop, out)
    assert not result.success
    assert sorted(_failed_checks(result)) == [
        ("as_of_before_month_end", "WARN"), ("low_probe_coverage", "WARN"), ("probe_coverage_below_minimum", "ERROR")
    ]
    assert _state(out) == before
    assert invariant_violations(out / "sla.duckdb", out / "statements") == []
