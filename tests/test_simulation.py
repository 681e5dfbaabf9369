"""What-if simulation (issue 13 part 2): `sla-report simulate` on the sample month, by value.

The "published" warehouse is the sample month 2026-10 built with the reviewed policy; the proposed
policy doubles the credit per step and the cap, and lowers the R16.1 notice to 24 h.
"""

from __future__ import annotations

import csv
import hashlib
from decimal import Decimal

import pytest

from pipeline.cli import main
from pipeline.month import build_month
from pipeline.policy import load_policy
from pipeline.settings import DEFAULT_POLICY_FILE, PROJECT_ROOT
from pipeline.simulation import CSV_COLUMNS, SimulationError, simulate
from pipeline.warehouse import connect

MONTH = "2026-10"
DROP = PROJECT_ROOT / "data" / "sample"


def _proposed(path):
    text = DEFAULT_POLICY_FILE.read_text()
    text = text.replace('credit_per_step_pct: "5"', 'credit_per_step_pct: "10"')
    text = text.replace('cap_pct: "25"', 'cap_pct: "50"')
    notice = "    uptime:\n      maintenance_notice_hours: 24\n      targets:"
    text = text.replace("    uptime:\n      targets:", notice, 1)
    path.write_text(text)
    return path


def _build(path, policy_file):
    con = connect(path)
    build_month(con, DROP, MONTH, load_policy(policy_file).version_for(MONTH))
    con.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("simulation")
    proposed = _proposed(root / "proposed.yaml")
    _build(root / "published.duckdb", DEFAULT_POLICY_FILE)
    before = hashlib.sha256((root / "published.duckdb").read_bytes()).hexdigest()
    result = simulate(root / "published.duckdb", proposed, MONTH, MONTH, root / "out")
    _build(root / "real-proposed.duckdb", proposed)
    return root, proposed, result, before


def test_simulated_credits_equal_a_real_run_under_the_proposed_policy(world):
    root, _, result, _ = world
    con = connect(root / "real-proposed.duckdb", read_only=True)
    real = dict(con.execute("SELECT customer_id, credit_amount FROM credits WHERE month = ?", [MONTH]).fetchall())
    con.close()
    assert {r["customer_id"]: r["credit_proposed"] for r in result.rows} == real
    assert real["quote-co"] == Decimal("2500.00")  # 10 steps × 10 % hits the new 50 % cap


def test_the_csv_has_the_pinned_columns_and_the_published_figures(world):
    root, _, result, _ = world
    with result.csv_path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert tuple(CSV_COLUMNS[:9]) == ("customer_id", "month", "currency", "credit_current", "credit_proposed",
                                      "delta", "uptime", "steps_current", "steps_proposed")
    by = {r["customer_id"]: r for r in rows}
    # the 24 h notice lets a sample maintenance window announced 24–48 h ahead excuse its minutes (R16.1):
    # globex rises from 99.798 % to 99.821 %, under a whole 0.1-point step, so its credit goes
    assert (by["globex"]["uptime_current"], by["globex"]["uptime"]) == ("0.99798387", "0.99820788")
    assert (by["globex"]["credit_current"], by["globex"]["credit_proposed"], by["globex"]["delta"]) == (
        "1000.01", "0.00", "-1000.01")
    # JPY has no minor digits; kyoto-ai loses a step (2 → 1) but the doubled rate keeps 10 %
    assert [by["kyoto-ai"][c] for c in ("credit_current", "credit_proposed", "steps_current", "steps_proposed")] == [
        "150000", "150000", "2", "1"]
    assert by["globex"]["response_s1_current"] == by["globex"]["response_s1_proposed"] != ""
    assert result.pdf_path.read_bytes().startswith(b"%PDF")


def test_nothing_published_is_touched(world):
    root, _, _, before = world
    assert hashlib.sha256((root / "published.duckdb").read_bytes()).hexdigest() == before


def test_an_unpublished_month_is_refused_by_name(world, capsys, monkeypatch):
    root, proposed, _, _ = world
    with pytest.raises(SimulationError, match=r"2026-09 never published in .*published.duckdb"):
        simulate(root / "published.duckdb", proposed, "2026-09", MONTH, root / "out2")
    monkeypatch.setenv("SLA_WAREHOUSE", str(root / "published.duckdb"))
    code = main(["simulate", "--policy", str(proposed), "--from", "2026-10", "--to", "2026-09",
                 "--out", str(root / "out3")])
    assert code == 1
    assert capsys.readouterr().err.strip() == "sla-report: --to 2026-09 comes before --from 2026-10"
