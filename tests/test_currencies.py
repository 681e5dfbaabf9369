"""The ISO 4217 table of pipeline/money.py against the `iso4217` package (ISO's List One, R19), and
withdrawn codes: valid only for months that end by their withdrawal date (docs/ingestion.md)."""

from __future__ import annotations

from datetime import date

import iso4217
import pytest
from fixtures.drops import BASE_CONTRACTS, BASE_CUSTOMERS, write_drop

from pipeline.ingest.validate import ingest_csv_inputs
from pipeline.money import MINOR_UNITS, WITHDRAWN, MoneyError, minor_unit, withdrawn_on
from pipeline.months import RunParams, parse_month
from pipeline.warehouse import connect
from pipeline.warehouse.sqlrunner import run_models

REFERENCE = {c.code: c.exponent for c in iso4217.Currency}


def test_the_reference_is_the_list_of_2026_01_01_or_later():
    assert iso4217.__published__ >= date(2026, 1, 1)


def test_every_minor_unit_equals_iso_4217():
    differing = {code: (digits, REFERENCE[code]) for code, digits in MINOR_UNITS.items() if REFERENCE.get(code, digits) != digits}
    assert differing == {}
    assert (MINOR_UNITS["EUR"], MINOR_UNITS["JPY"], MINOR_UNITS["KWD"], MINOR_UNITS["CLF"]) == (2, 0, 3, 4)


def test_every_current_code_with_a_minor_unit_is_in_the_table():
    missing = sorted(code for code, digits in REFERENCE.items() if digits is not None and code not in MINOR_UNITS)
    assert missing == []


def test_codes_without_a_minor_unit_are_left_out():
    """Precious metals, SDR, test and 'no currency' codes (XAU, XDR, XTS, XXX) are not billing currencies."""
    without = sorted(code for code, digits in REFERENCE.items() if digits is None)
    assert {"XAU", "XDR", "XTS", "XXX"} <= set(without)
    assert not set(without) & set(MINOR_UNITS)
    with pytest.raises(MoneyError, match="unknown ISO 4217 currency code 'XAU'"):
        minor_unit("XAU")


def test_codes_not_in_the_current_list_are_exactly_the_withdrawn_ones():
    assert sorted(code for code in MINOR_UNITS if code not in REFERENCE) == sorted(WITHDRAWN) == ["ANG", "BGN"]
    assert WITHDRAWN == {"BGN": date(2026, 1, 1), "ANG": date(2026, 1, 1)}
    # a withdrawal is never later than the reference list that no longer has it
    assert all(day <= iso4217.__published__ for day in WITHDRAWN.values())
    assert withdrawn_on("BGN") == date(2026, 1, 1) and withdrawn_on("EUR") is None
    assert "XCG" in REFERENCE and MINOR_UNITS["XCG"] == 2  # ANG's successor


def _contract_verdicts(tmp_path, month: str, contracts: list[dict[str, str]]) -> dict[str, tuple[str, str | None]]:
    drop = write_drop(tmp_path / f"drop-{month}", customers=BASE_CUSTOMERS, contracts=contracts)
    start, _ = parse_month(month)
    started = start.replace(year=start.year + 1)
    con = connect(tmp_path / f"wh-{month}.duckdb")
    try:
        ingest_csv_inputs(con, drop, RunParams(month, None, started))
        run_models(con, ["intermediate/ingest/csv_record_verdicts"], RunParams(month, started, started).as_dict())
        rows = con.execute(
            "SELECT c.contract_id, v.verdict, v.reason FROM intermediate.csv_record_verdicts AS v"
            " JOIN intermediate.checked_contracts AS c USING (source_file, line_number)"
            " WHERE v.source = 'contracts'"
        ).fetchall()
    finally:
        con.close()
    return {contract: (verdict, reason) for contract, verdict, reason in rows}


BGN_CONTRACTS = [
    {**BASE_CONTRACTS[0], "contract_id": "C-lev", "currency": "BGN", "monthly_fee": "19558.30", "starts_on": "2025-06-01"},
    {**BASE_CONTRACTS[1], "contract_id": "C-lev-ended", "currency": "BGN", "starts_on": "2025-01-01", "ends_on": "2026-01-01"},
]


def test_a_withdrawn_currency_is_valid_for_months_before_its_withdrawal(tmp_path):
    assert _contract_verdicts(tmp_path, "2025-12", BGN_CONTRACTS) == {
        "C-lev": ("used", None),
        "C-lev-ended": ("used", None),
    }


def test_a_contract_in_a_withdrawn_currency_is_rejected_for_a_later_month(tmp_path):
    assert _contract_verdicts(tmp_path, "2026-01", BGN_CONTRACTS) == {
        "C-lev": (
            "rejected",
            "currency BGN was withdrawn from ISO 4217 on 2026-01-01: a contract cannot be billed in it for 2026-01"
            " (use the currency that replaced it)",
        ),
        # ended with the lev: not about January, so it is another month's row, not a rejection
        "C-lev-ended": ("other_month", None),
    }


def test_the_euro_contract_that_replaces_the_lev_is_used(tmp_path):
    contracts = [
        {**BGN_CONTRACTS[0], "ends_on": "2026-01-01"},
        {**BGN_CONTRACTS[0], "contract_id": "C-euro", "currency": "EUR", "monthly_fee": "10000.00", "starts_on": "2026-01-01"},
        BASE_CONTRACTS[1],
    ]
    assert _contract_verdicts(tmp_path, "2026-01", contracts) == {
        "C-lev": ("other_month", None),
        "C-euro": ("used", None),
        "C-beta": ("used", None),
    }
