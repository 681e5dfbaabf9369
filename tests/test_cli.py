"""`sla-report`: one clear line and a non-zero exit on failure; useful help."""

from __future__ import annotations

import shutil

import pytest

from pipeline.cli import main
from pipeline.settings import PROJECT_ROOT


@pytest.fixture
def env(tmp_path, monkeypatch):
    drop = tmp_path / "drop"
    shutil.copytree(PROJECT_ROOT / "data" / "sample", drop)
    for name, value in {
        "SLA_DATA_DIR": drop,
        "SLA_WAREHOUSE": tmp_path / "wh" / "sla.duckdb",
        "SLA_STATEMENTS_DIR": tmp_path / "statements",
        "DAGSTER_HOME": tmp_path / "dagster_home",
    }.items():
        monkeypatch.setenv(name, str(value))
    return tmp_path


def test_help_lists_the_command_and_the_environment(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "run" in out and "SLA_DATA_DIR" in out and "DAGSTER_HOME" in out


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("10-2026", "sla-report: month must look like YYYY-MM, got '10-2026'"),
        ("2023-12", "sla-report: 2023-12 is not a runnable month: months from 2024-01 up to the last complete month"),
        ("2999-01", "sla-report: 2999-01 is not a runnable month: months from 2024-01 up to the last complete month"),
    ],
)
def test_an_unrunnable_month_is_refused(env, capsys, month, message):
    assert main(["run", "--month", month]) == 1
    assert capsys.readouterr().err.strip() == message


def test_a_missing_file_fails_with_one_line_and_nothing_published(env, capsys):
    (env / "drop" / "contracts.csv").unlink()
    assert main(["run", "--month", "2026-10"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"sla-report: 2026-10 failed — input_tables: required input file contracts.csv is missing from {env / 'drop'}"
    ]
    warehouse_dir = env / "wh"
    assert not (warehouse_dir / "sla.duckdb").exists()
    assert not any(p.name.startswith("sla.duckdb.build-") for p in warehouse_dir.iterdir())
    # The run is recorded in the shared instance, so the UI shows it too.
    assert (env / "dagster_home" / "dagster.yaml").read_text().count("max_concurrent_runs: 1") == 1


def test_a_bad_as_of_is_named(env, capsys):
    assert main(["run", "--month", "2026-10", "--as-of", "2026-11-01 00:00"]) == 1
    assert capsys.readouterr().err.strip() == (
        "sla-report: 2026-10 failed — input_tables: --as-of '2026-11-01 00:00' has no UTC offset (write Z or ±hh:mm)"
    )
