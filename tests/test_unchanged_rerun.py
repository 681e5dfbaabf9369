"""A rerun that would change nothing stops after fingerprinting the drop (issue 12 part 3, R21).

Real runs of the monthly job on the small month (fixtures/small_month.py), one after another on one
warehouse, each changing one ingredient of `main.report_runs.inputs_sha256`
(pipeline/ingest/fingerprint.py): the same drop publishes nothing and skips every step after the first;
a new file, another policy, an as-of, `force`, another month's run, a published statement gone and a
drop the hash cannot vouch for each give a full run. The rules that keep a run's start out of the hash
(rows rejected as future, an as-of clipped to the start) are tested on a real published warehouse.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
from fixtures.publication import invariant_violations
from fixtures.small_month import MONTH, write_small_month

from pipeline.cli import main
from pipeline.defs import defs
from pipeline.defs.assets.inputs import UNCHANGED_TAG
from pipeline.defs.liveness import month_holder
from pipeline.defs.resources import SlaEnvironment
from pipeline.ingest.fingerprint import drop_fingerprint, published_run_unchanged, vouch_for_drop
from pipeline.settings import DEFAULT_POLICY_FILE, Settings
from pipeline.warehouse import connection
from pipeline.warehouse.build import current_release
from pipeline.warehouse.runlog import record_run

PREVIOUS_MONTH = "2026-02"


@dataclass(frozen=True)
class Outcome:
    run_id: str
    unchanged_since: str | None
    steps: dict[str, str]  # step key → SUCCESS / SKIPPED
    release: str  # the published release folder after the run
    warehouse_identity: tuple[int, int]  # (inode, mtime_ns) of the published warehouse file
    files: dict[str, tuple[int, int]]  # statement file → (inode, mtime_ns)
    statements_rendered: int | None  # None: no statements materialization
    report_run: tuple  # the month's main.report_runs row: run_id, drop_sha256, inputs_sha256


def _identity(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def _run(root: Path, drop: Path, *, month: str = MONTH, config: dict | None = None, policy: Path | None = None) -> Outcome:
    resources = SlaEnvironment(
        data_dir=str(drop), warehouse=str(root / "sla.duckdb"), statements_dir=str(root / "statements"),
        policy_file=str(policy) if policy else None,
    )
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("monthly_sla_report").execute_in_process(
            partition_key=month, instance=instance, resources={"sla": resources}, raise_on_error=False,
            run_config={"ops": {"input_tables": {"config": config}}} if config else None,
        )
        assert result.success
        steps = {s.step_key: s.status.value for s in instance.get_run_step_stats(result.run_id)}
        tags = instance.get_run_by_id(result.run_id).tags
    rendered = [
        e.materialization.metadata["statements_rendered"].value
        for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "statements"
    ]
    with connection(root / "sla.duckdb", read_only=True) as con:
        report_run = con.execute(
            "SELECT run_id, drop_sha256, inputs_sha256 FROM main.report_runs WHERE month = $m", {"m": MONTH}
        ).fetchone()
    assert invariant_violations(root / "sla.duckdb", root / "statements") == []
    assert month_holder(resources.settings(), month) is None  # the month is free again either way
    folder = root / "statements" / MONTH
    return Outcome(
        run_id=result.run_id,
        unchanged_since=tags.get(UNCHANGED_TAG),
        steps=steps,
        release=current_release(root / "sla.duckdb").name,
        warehouse_identity=_identity(root / "sla.duckdb"),
        files={p.name: _identity(p) for p in sorted(folder.iterdir())} if folder.is_dir() else {},
        statements_rendered=rendered[0] if rendered else None,
        report_run=report_run,
    )


def _assert_unchanged(outcome: Outcome, since: Outcome) -> None:
    assert outcome.unchanged_since == since.run_id
    assert {k: v for k, v in outcome.steps.items() if v != "SKIPPED"} == {"input_tables": "SUCCESS"}
    assert len(outcome.steps) > 20  # every other step of the job was there, and skipped
    assert outcome.statements_rendered is None
    # nothing was published: the same release, the same warehouse file, the same statement files
    assert (outcome.release, outcome.warehouse_identity, outcome.files) == (
        since.release, since.warehouse_identity, since.files
    )
    assert outcome.report_run == since.report_run


def _assert_full(outcome: Outcome, before: Outcome) -> None:
    assert outcome.unchanged_since is None
    assert outcome.steps["warehouse"] == "SUCCESS" and "SKIPPED" not in outcome.steps.values()
    assert outcome.release != before.release and outcome.report_run[0] == outcome.run_id


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> dict[str, object]:
    """The month published, then rerun with one ingredient of its fingerprint changed at a time."""
    root = tmp_path_factory.mktemp("unchanged")
    drop = write_small_month(root / "drop")
    runs: dict[str, object] = {"root": root, "drop": drop}
    runs["first"] = _run(root, drop)
    runs["same"] = _run(root, drop)
    runs["forced"] = _run(root, drop, config={"force": True})
    runs["same_after_forced"] = _run(root, drop)
    (drop / "notes").mkdir()
    (drop / "notes" / "readme.txt").write_text("a file no reader opens\n")
    runs["new_file"] = _run(root, drop)
    policy = root / "policy.yaml"
    policy.write_text(DEFAULT_POLICY_FILE.read_text() + "\n# reviewed 2026-12\n")
    runs["policy"] = _run(root, drop, policy=policy)
    runs["same_policy"] = _run(root, drop, policy=policy)
    runs["as_of"] = _run(root, drop, policy=policy, config={"as_of": "2026-04-20T00:00:00Z"})
    runs["same_as_of"] = _run(root, drop, policy=policy, config={"as_of": "2026-04-20T00:00:00Z"})
    previous = write_small_month(root / "drop-previous", month=PREVIOUS_MONTH)
    runs["other_month"] = _run(root, previous, policy=policy, month=PREVIOUS_MONTH)
    runs["after_other_month"] = _run(root, drop, policy=policy, config={"as_of": "2026-04-20T00:00:00Z"})
    (root / "statements" / MONTH / "globex.pdf").unlink()
    runs["statement_gone"] = _run(root, drop, policy=policy, config={"as_of": "2026-04-20T00:00:00Z"})
    os.mkfifo(drop / "notes" / "pipe")
    runs["fifo"] = _run(root, drop, policy=policy, config={"as_of": "2026-04-20T00:00:00Z"})
    runs["fifo_again"] = _run(root, drop, policy=policy, config={"as_of": "2026-04-20T00:00:00Z"})
    return runs


def test_r21_the_same_drop_publishes_nothing_and_skips_every_step_after_the_first(history):
    first, same = history["first"], history["same"]
    assert first.unchanged_since is None and first.statements_rendered == 3
    assert first.report_run[0] == first.run_id and len(first.report_run[1]) == len(first.report_run[2]) == 64
    _assert_unchanged(same, first)


def test_r21_force_rebuilds_and_the_figures_comparison_renders_nothing(history):
    forced = history["forced"]
    _assert_full(forced, history["first"])
    assert forced.statements_rendered == 0  # the figures did not change: the files are the published ones
    assert forced.files == history["first"].files
    assert forced.report_run[2] == history["first"].report_run[2]  # same inputs, same hash
    _assert_unchanged(history["same_after_forced"], forced)


@pytest.mark.parametrize(
    ("changed", "before", "again"),
    [
        ("new_file", "same_after_forced", None),  # a file no reader opens still counts
        ("policy", "new_file", "same_policy"),  # the policy file's bytes (a comment line)
        ("as_of", "same_policy", "same_as_of"),  # --as-of
        ("after_other_month", "other_month", None),  # another month was published from other inputs
        ("statement_gone", "after_other_month", None),  # the published month is not whole
    ],
)
def test_r21_each_ingredient_of_the_fingerprint_gives_a_full_run(history, changed, before, again):
    _assert_full(history[changed], history[before])
    assert history[changed].report_run[2] != history[before].report_run[2] or changed == "statement_gone"
    if again:
        _assert_unchanged(history[again], history[changed])


def test_r21_another_month_s_run_changes_this_month_s_fingerprint(history):
    """The chronic-failure rule reads earlier months: a month published since is an input."""
    other, after = history["other_month"], history["after_other_month"]
    assert other.unchanged_since is None and other.steps["warehouse"] == "SUCCESS"
    assert other.report_run == history["same_as_of"].report_run  # the other month's run left this month's row
    assert after.report_run[1] == other.report_run[1]  # the same drop …
    assert after.report_run[2] != other.report_run[2]  # … but not the same inputs


def test_r21_a_missing_published_statement_is_rendered_again(history):
    gone = history["statement_gone"]
    assert gone.statements_rendered == 1 and "globex.pdf" in gone.files


def test_r21_a_drop_the_hash_cannot_vouch_for_is_never_reused(history):
    """A FIFO in the drop (no reader opens it; hashing it would block): the run records no hashes and
    every run after it is a full one."""
    fifo, again = history["fifo"], history["fifo_again"]
    _assert_full(fifo, history["statement_gone"])
    assert fifo.report_run == (fifo.run_id, None, None)
    _assert_full(again, fifo)


def test_r21_the_cli_says_a_rerun_changed_nothing_and_force_rebuilds(tmp_path, monkeypatch, capfd):
    drop = write_small_month(tmp_path / "drop")
    for name, value in {"SLA_DATA_DIR": drop, "SLA_WAREHOUSE": tmp_path / "sla.duckdb",
                        "SLA_STATEMENTS_DIR": tmp_path / "statements", "DAGSTER_HOME": tmp_path / "dh"}.items():
        monkeypatch.setenv(name, str(value))
    assert main(["run", "--month", MONTH]) == 0
    first = capfd.readouterr().out
    assert "unchanged" not in first
    first_run = first.split("(run ", 1)[1].split(")", 1)[0]
    assert main(["run", "--month", MONTH]) == 0
    captured = capfd.readouterr()
    assert f"  unchanged: the drop, policy, code and other months are those of published run {first_run};" in captured.out
    assert "3 PDFs" in captured.out  # the summary of what stands published
    assert "emitted no result" not in captured.err  # Dagster's warning for skipped checks is not shown
    assert main(["run", "--month", MONTH, "--force"]) == 0
    assert "unchanged" not in capfd.readouterr().out


# --- the rules that keep the run's start out of the hash, on a real published warehouse -------------


@pytest.fixture
def published_copy(published_october, tmp_path) -> Settings:
    """The published sample month's warehouse, copied so its rows can be edited; its statements are
    the published files (their paths are absolute)."""
    copy = tmp_path / "sla.duckdb"
    shutil.copyfile(published_october.warehouse, copy)
    return Settings.from_env({
        "SLA_DATA_DIR": str(published_october.data), "SLA_WAREHOUSE": str(copy),
        "SLA_STATEMENTS_DIR": str(published_october.statements), "DAGSTER_HOME": str(tmp_path / "dh"),
    })


def test_r21_rows_rejected_as_future_must_still_be_future(published_copy):
    """The sample rejects three rows dated 2099 as later than the run's start. A rerun before 2099
    would reject them too (reused); a rerun after one of them would read it (not reused)."""
    drop = drop_fingerprint(published_copy.data_dir)
    now = datetime.now(UTC)
    assert published_run_unchanged(published_copy, "2026-10", None, drop, now).published_run is not None
    later = published_run_unchanged(published_copy, "2026-10", None, drop, datetime(2099, 1, 1, 0, 0, 1, tzinfo=UTC))
    assert later.published_run is None and "rejected as later than its start" in later.reason
    assert published_run_unchanged(published_copy, "2026-10", "2026-11-20T00:00:00Z", drop, now).published_run is None


def test_r21_an_as_of_clipped_to_the_run_start_is_not_reused(published_copy):
    drop = drop_fingerprint(published_copy.data_dir)
    with connection(published_copy.warehouse) as con:
        con.execute("UPDATE main.report_runs SET as_of_source = 'month_end', as_of = TIMESTAMPTZ '2026-10-20 00:00:00+00'")
    verdict = published_run_unchanged(published_copy, "2026-10", None, drop, datetime.now(UTC))
    assert verdict.published_run is None and "ran before 2026-10 ended" in verdict.reason


def test_r21_a_drop_that_changes_while_the_run_reads_it_forgets_the_run_s_hashes(tmp_path):
    drop = write_small_month(tmp_path / "drop")
    from pipeline.months import RunParams  # noqa: PLC0415

    params = RunParams(MONTH, datetime(2026, 4, 5, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    with connection(tmp_path / "sla.duckdb") as con:
        record_run(con, "r1", params, "data", str(drop), drop_sha256=drop_fingerprint(drop).sha256, inputs_sha256="x" * 64)
        assert vouch_for_drop(con, drop, MONTH, "r1") is None
        (drop / "probes" / "probes.csv").write_text((drop / "probes" / "probes.csv").read_text() + "\n")
        message = vouch_for_drop(con, drop, MONTH, "r1")
        assert message.startswith("the data drop changed while this run read it")
        assert con.execute("SELECT drop_sha256, inputs_sha256 FROM main.report_runs").fetchall() == [(None, None)]


def test_r21_any_new_file_counts_and_a_link_to_a_folder_makes_the_drop_unhashable(tmp_path):
    drop = write_small_month(tmp_path / "drop")
    whole = drop_fingerprint(drop)
    assert whole.sha256 is not None and whole.unhashable is None
    assert whole.files == len([p for p in drop.rglob("*") if p.is_file()])
    (drop / "notes.txt").write_text("x")
    assert drop_fingerprint(drop).sha256 not in (None, whole.sha256)
    (drop / "loop").symlink_to(drop, target_is_directory=True)
    unhashable = drop_fingerprint(drop)
    assert unhashable.sha256 is None and unhashable.unhashable == "loop is not a regular file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_r21_an_unreadable_file_makes_the_drop_unhashable_not_a_crash(tmp_path):
    drop = write_small_month(tmp_path / "drop")
    secret = drop / "notes.txt"
    secret.write_text("x")
    secret.chmod(0)
    try:
        found = drop_fingerprint(drop)
        assert found.sha256 is None and found.unhashable == "notes.txt: Permission denied"
    finally:
        secret.chmod(0o644)
