"""Reruns do only what changed (issue 12 part 3, R21), and rendering fans out through Dagster (part 4).

Real runs of the monthly job on the small month (fixtures/small_month.py), one after another on the
same warehouse: a first run, a rerun of the same drop, and a rerun with one customer's ticket changed
and a later as-of. Every run is forced: a rerun of the same drop would stop after fingerprinting it
(tests/test_unchanged_rerun.py), so these pin what a rerun whose inputs did change does with figures
that did not (a new policy or code version that moves no figure, say). What each run rendered is read from the `statements` asset's materialization
(`statements_rendered`, `rendered_customers`), what it kept from the files themselves (inode, mtime,
sha256 — a kept file is the published file, hard-linked into the new release). The first run (one
process, one shard) is also the reference for the multiprocess executor with two render shards.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
from fixtures.publication import invariant_violations
from fixtures.small_month import CUSTOMERS, MONTH, write_small_month

from pipeline.defs import defs, monthly_job
from pipeline.defs.resources import SlaEnvironment
from pipeline.warehouse import connection

STATEMENT_COLUMNS = (
    "customer_id, version, is_current, supersedes, sha256, credit_amount, currency, statement_id, "
    "input_fingerprint, as_of, figures_sha256, supersedes_statement_id, restatement_reason, produced_at"
)
LATER_AS_OF = "2026-04-20T00:00:00Z"


@dataclass(frozen=True)
class Run:
    metadata: dict
    files: dict[str, tuple[int, int, str]]  # name → (inode, mtime_ns, sha256) at the published path
    rows: list[tuple]


def _files(folder: Path) -> dict[str, tuple[int, int, str]]:
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(folder.iterdir())
    }


def _run(root: Path, drop: Path, as_of: str | None = None) -> Run:
    # `force`: the same drop would otherwise stop after its fingerprint (tests/test_unchanged_rerun.py);
    # here the run goes on, and it is the figures that are compared
    config = {"ops": {"input_tables": {"config": {"force": True, **({"as_of": as_of} if as_of else {})}}}}
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("monthly_sla_report").execute_in_process(
            partition_key=MONTH,
            instance=instance,
            run_config=config,
            resources={"sla": SlaEnvironment(data_dir=str(drop), warehouse=str(root / "sla.duckdb"),
                                             statements_dir=str(root / "statements"))},
            raise_on_error=False,
        )
    assert result.success
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "statements"]
    metadata = {k: getattr(v, "value", getattr(v, "data", v)) for k, v in event.materialization.metadata.items()}
    with connection(root / "sla.duckdb", read_only=True) as con:
        rows = con.execute(f"SELECT {STATEMENT_COLUMNS} FROM statements ORDER BY customer_id, version").fetchall()
    assert invariant_violations(root / "sla.duckdb", root / "statements") == []
    return Run(metadata, _files(root / "statements" / MONTH), rows)


@pytest.fixture(scope="module")
def first(tmp_path_factory) -> tuple[Path, Path, Run]:
    root = tmp_path_factory.mktemp("reruns")
    drop = write_small_month(root / "drop")
    return root, drop, _run(root, drop)


@pytest.fixture(scope="module")
def runs(first) -> dict[str, Run]:
    """The first run, then on the same warehouse a rerun of the same drop, then one with a change."""
    root, drop, first_run = first
    changed = write_small_month(root / "changed", severities={"globex": "S2"})
    return {
        "first": first_run,
        "same": _run(root, drop),
        "changed": _run(root, changed, as_of=LATER_AS_OF),
    }


def _counts(run: Run) -> tuple:
    m = run.metadata
    return (m["statements_rendered"], m["rendered_customers"], m["statements_new"], m["statements_restated"],
            m["statements_unchanged"], m["summary_written"])


def test_r21_a_first_run_renders_every_statement(first):
    assert _counts(first[2]) == (3, list(CUSTOMERS), 3, 0, 0, True)
    assert first[2].metadata["render_shards"] == 1  # in one process: one shard, a worker per core


def test_r21_rerunning_the_same_drop_renders_nothing_and_keeps_every_file(runs):
    first, same = runs["first"], runs["same"]
    assert _counts(same) == (0, [], 0, 0, 3, False)
    # Every file of the month — statements and the finance summary — is the published one, untouched.
    assert same.files == first.files
    assert sorted(same.files) == ["_summary.pdf", "acme.pdf", "globex.pdf", "initech.pdf", "statements.csv"]
    assert same.rows == first.rows


def test_r21_one_changed_ticket_renders_that_customers_statement_only(runs):
    """globex's ticket is now S2, and the as-of is two weeks later: globex's support figures change;
    acme's and initech's do not (a later as-of that moves no figure renders nothing)."""
    before, changed = runs["same"], runs["changed"]
    assert _counts(changed) == (1, ["globex"], 0, 1, 2, True)
    assert changed.metadata["restated"] == {"globex": "S2 response met/breached/pending 0/0/0 → 1/0/0; "
                                            "S2 resolution met/breached/pending 0/0/0 → 0/0/1; "
                                            "S3 response met/breached/pending 1/0/0 → 0/0/0; "
                                            "S3 resolution met/breached/pending 0/0/1 → 0/0/0"}
    for customer in ("acme", "initech"):
        assert changed.files[f"{customer}.pdf"] == before.files[f"{customer}.pdf"]
    # The old globex statement is kept as version 1 (the same file, moved aside), the new one is new.
    assert changed.files["globex.v1.pdf"] == before.files["globex.pdf"]
    assert changed.files["globex.pdf"][2] != before.files["globex.pdf"][2]
    kept = {r[0]: r for r in before.rows}
    assert [r for r in changed.rows if r[0] != "globex"] == [kept["acme"], kept["initech"]]
    assert [(r[0], r[1], r[2]) for r in changed.rows if r[0] == "globex"] == [("globex", 1, False), ("globex", 2, True)]


def test_r21_two_render_shards_in_processes_of_their_own_give_the_same_bytes_and_rows(first, tmp_path, monkeypatch):
    """The multiprocess executor (docs/statements.md "Fan-out"): every step in a process of its own,
    the statements rendered by two shard steps side by side — the same files, byte for byte, and the
    same `statements` rows as the first run in one process."""
    drop = write_small_month(tmp_path / "drop")
    monkeypatch.setenv("SLA_RENDER_SHARDS", "2")
    config = {
        "execution": {"config": {"multiprocess": {"max_concurrent": 2, "start_method": {
            "forkserver": {"preload_modules": ["pipeline.defs"]}}}}},  # steps fork from a loaded server
        "resources": {"sla": {"config": {"data_dir": str(drop), "warehouse": str(tmp_path / "sla.duckdb"),
                                         "statements_dir": str(tmp_path / "statements")}}},
    }
    # the pool limit of our dagster.yaml: one warehouse step at a time, across processes
    with dg.instance_for_test(overrides={"concurrency": {"pools": {"default_limit": 1}}}) as instance:
        with dg.execute_job(dg.reconstructable(monthly_job), instance, run_config=config,
                            tags={"dagster/partition": MONTH}) as result:
            assert result.success
            pids = {e.step_key: e.pid for e in result.all_events if e.is_step_start}
            [event] = [e for e in result.get_asset_materialization_events()
                       if e.asset_key.to_user_string() == "statements"]
            metadata = event.materialization.metadata
    shards = sorted(k for k in pids if k.startswith("statements.statements_shard["))
    assert shards == ["statements.statements_shard[shard_0]", "statements.statements_shard[shard_1]"]
    assert len({pids[k] for k in shards} | {os.getpid()}) == 3  # two processes besides this one
    assert (metadata["render_shards"].value, metadata["statements_rendered"].value) == (2, 3)
    assert invariant_violations(tmp_path / "sla.duckdb", tmp_path / "statements") == []
    fanned_out = {name: sha for name, (_, _, sha) in _files(tmp_path / "statements" / MONTH).items()}
    assert fanned_out == {name: sha for name, (_, _, sha) in first[2].files.items()}
    with connection(tmp_path / "sla.duckdb", read_only=True) as con:
        rows = con.execute(f"SELECT {STATEMENT_COLUMNS} FROM statements ORDER BY customer_id, version").fetchall()
    assert [row[:-1] for row in rows] == [row[:-1] for row in first[2].rows]  # produced_at = run start
