"""The SQL model runner: reference ordering, bound parameters, month-keyed marts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.months import RunParams
from pipeline.warehouse import connection
from pipeline.warehouse.sqlrunner import ModelError, load_model, named_parameters, order_models, run_models


def _write(sql_dir, key: str, text: str) -> None:
    path = sql_dir / f"{key}.sql"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def sql_dir(tmp_path):
    root = tmp_path / "sql"
    (root).mkdir()
    (root / "macros.sql").write_text("CREATE OR REPLACE TEMP MACRO twice(x) AS x * 2;")
    _write(root, "staging/numbers", "-- Numbers.\n-- Grain: one row per n.\nSELECT range AS n FROM range(3)")
    _write(root, "intermediate/doubled", "-- Doubled numbers.\nSELECT twice(n) AS n FROM staging.numbers")
    _write(root, "marts/monthly_total", "-- Total per month.\nSELECT $month AS month, sum(n) + $bonus AS total FROM intermediate.doubled")
    return root


def test_models_run_after_the_tables_they_reference(sql_dir):
    ordered = order_models(load_model(k, sql_dir) for k in ["marts/monthly_total", "intermediate/doubled", "staging/numbers"])
    assert [m.key for m in ordered] == ["staging/numbers", "intermediate/doubled", "marts/monthly_total"]
    assert load_model("intermediate/doubled", sql_dir).description == "Doubled numbers."


def test_rerunning_a_month_replaces_that_month_only(sql_dir, tmp_path):
    keys = ["staging/numbers", "intermediate/doubled", "marts/monthly_total"]
    with connection(tmp_path / "wh.duckdb") as con:
        run_models(con, keys, {"month": "2026-09", "bonus": 100}, sql_dir)
        run_models(con, keys, {"month": "2026-10", "bonus": 200}, sql_dir)
        run_models(con, keys, {"month": "2026-10", "bonus": 300}, sql_dir)
        assert con.execute("SELECT month, total FROM main.monthly_total ORDER BY month").fetchall() == [
            ("2026-09", 106), ("2026-10", 306)
        ]


def test_a_model_names_the_parameters_it_is_missing(sql_dir, tmp_path):
    with connection(tmp_path / "wh.duckdb") as con, pytest.raises(ModelError, match=r"monthly_total.sql needs parameters \['bonus'\]"):
        run_models(con, ["staging/numbers", "intermediate/doubled", "marts/monthly_total"], {"month": "2026-10"}, sql_dir)


def test_a_failing_model_is_named(sql_dir, tmp_path):
    _write(sql_dir, "intermediate/broken", "SELECT nope FROM staging.numbers")
    with connection(tmp_path / "wh.duckdb") as con, pytest.raises(ModelError, match=r"sql/intermediate/broken.sql failed"):
        run_models(con, ["staging/numbers", "intermediate/broken"], {}, sql_dir)


def test_a_mart_must_only_return_its_month(sql_dir, tmp_path):
    _write(sql_dir, "marts/leaky", "SELECT '2026-09' AS month, 1 AS x")
    with connection(tmp_path / "wh.duckdb") as con, pytest.raises(ModelError, match="returned 1 rows of another month"):
        run_models(con, ["marts/leaky"], {"month": "2026-10"}, sql_dir)


def test_run_params_bind_utc_month_bounds():
    params = RunParams("2026-12", as_of=None, run_started_at=datetime(2027, 1, 5, tzinfo=UTC))
    bound = params.as_dict()
    assert bound["month_start"] == datetime(2026, 12, 1, tzinfo=UTC)
    assert bound["month_end"] == datetime(2027, 1, 1, tzinfo=UTC)
    assert "as_of" not in bound


def test_two_domains_may_not_build_one_table(sql_dir):
    _write(sql_dir, "intermediate/ingest/same", "SELECT 1 AS n")
    _write(sql_dir, "intermediate/uptime/same", "SELECT 2 AS n")
    models = [load_model(k, sql_dir) for k in ("intermediate/ingest/same", "intermediate/uptime/same")]
    with pytest.raises(ModelError, match="intermediate/ingest/same and intermediate/uptime/same both build intermediate.same"):
        order_models(models)


def test_parameters_are_what_duckdb_parses_not_dollar_text():
    sql = "-- uses $in_comment\nSELECT $month AS month, '$in_string' AS s, $as_of AS a, $month AS again"
    assert named_parameters(sql) == {"month", "as_of"}


def test_a_domain_model_builds_its_table_in_the_layer_schema(sql_dir):
    _write(sql_dir, "intermediate/uptime/minutes", "-- Minutes.\nSELECT n FROM staging.numbers")
    model = load_model("intermediate/uptime/minutes", sql_dir)
    assert (model.key, model.table, model.domain) == ("intermediate/uptime/minutes", "intermediate.minutes", "uptime")
    assert model.references == {"staging.numbers"}
