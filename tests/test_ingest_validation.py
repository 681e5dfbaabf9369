"""Ingestion of the CSV inputs: every rejection rule of the data contract, with its reason (R3, R4)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fixtures.drops import BASE_CONTRACTS, BASE_CUSTOMERS, event, ticket, write_csv, write_drop

from pipeline.ingest.readers import InputFileError
from pipeline.ingest.validate import OverlappingContractsError, ingest_csv_inputs
from pipeline.months import RunParams
from pipeline.warehouse import connect, connection
from pipeline.warehouse.sqlrunner import run_models

RUN_STARTED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OCTOBER = RunParams("2026-10", as_of=datetime(2026, 11, 20, tzinfo=UTC), run_started_at=RUN_STARTED)


@pytest.fixture
def ingest(tmp_path):
    """Ingest a drop built from the given rows; return {(file, line): reason} and the verdict counts."""
    opened = []

    def run(**rows):
        drop = write_drop(tmp_path / "drop", **rows)
        con = connect(tmp_path / "wh.duckdb")
        opened.append(con)
        ingest_csv_inputs(con, drop, RunParams(OCTOBER.month, None, RUN_STARTED))
        run_models(con, ["intermediate/ingest/csv_record_verdicts"], OCTOBER.as_dict())
        return con

    yield run
    for con in opened:
        con.close()


def reasons(con, source_file: str) -> dict[int, str]:
    rows = con.execute(
        "SELECT line_number, reason FROM intermediate.csv_record_verdicts WHERE source_file = ? AND verdict = 'rejected'",
        [source_file],
    ).fetchall()
    return dict(rows)


def verdicts(con, source_file: str) -> dict[int, str]:
    return dict(con.execute(
        "SELECT line_number, verdict FROM intermediate.csv_record_verdicts WHERE source_file = ?", [source_file]
    ).fetchall())


def test_naive_timestamp_is_rejected_as_ambiguous(ingest):
    con = ingest(tickets=[ticket("T1", "2026-10-05T09:00:00Z"), ticket("T2", "2026-10-05T09:00:00")])
    assert reasons(con, "tickets.csv") == {
        2: "created_at '2026-10-05T09:00:00' has no UTC offset, so the instant is ambiguous (write Z or ±hh:mm)"
    }
    assert con.execute("SELECT created_at FROM intermediate.valid_tickets").fetchall() == [
        (datetime(2026, 10, 5, 9, 0, tzinfo=UTC),)
    ]


def test_offsets_are_converted_to_utc(ingest):
    con = ingest(tickets=[ticket("T1", "2026-10-05T11:00:00+02:00"), ticket("T2", "2026-10-05 04:30:00-0530")])
    got = dict(con.execute("SELECT ticket_id, created_at FROM intermediate.valid_tickets").fetchall())
    assert got == {"T1": datetime(2026, 10, 5, 9, 0, tzinfo=UTC), "T2": datetime(2026, 10, 5, 10, 0, tzinfo=UTC)}


def test_unparseable_and_future_timestamps(ingest):
    con = ingest(tickets=[
        ticket("T1", "2026-02-30T09:00:00Z"),
        ticket("T2", "yesterday"),
        ticket("T3", "2099-01-01T00:00:00Z"),
        ticket("T4", ""),
    ])
    assert reasons(con, "tickets.csv") == {
        1: "created_at '2026-02-30T09:00:00Z' is not an ISO 8601 timestamp with offset",
        2: "created_at 'yesterday' is not an ISO 8601 timestamp with offset",
        3: "created_at '2099-01-01T00:00:00Z' is in the future (the run started at 2026-11-27T12:00:00Z)",
        4: "created_at is empty",
    }


def test_unknown_enum_values(ingest):
    con = ingest(
        tickets=[ticket("T1", "2026-10-05T09:00:00Z", severity="S5"),
                 {**ticket("T2", "2026-10-05T09:00:00Z"), "channel": "fax"}],
        ticket_events=[event(1, "T9", "2026-10-05T09:00:00Z", "escalated")],
    )
    assert reasons(con, "tickets.csv") == {
        1: "severity 'S5' is not one of S1, S2, S3, S4",
        2: "channel 'fax' is not one of email, slack_connect, dedicated_contact",
    }
    assert reasons(con, "ticket_events.csv")[1].startswith("event 'escalated' is not one of agent_reply, auto_reply")


def test_r4_unknown_customer_and_no_contract_at_created_at(ingest):
    contracts = [{**BASE_CONTRACTS[0], "starts_on": "2026-10-10"}, BASE_CONTRACTS[1]]
    con = ingest(contracts=contracts, tickets=[
        ticket("T1", "2026-10-09T23:59:59Z"),  # the day before acme's contract starts (UTC midnight)
        ticket("T2", "2026-10-10T00:00:00Z"),  # starts_on is inclusive
        ticket("T3", "2026-10-10T00:00:00Z", customer_id="nobody"),
    ])
    assert reasons(con, "tickets.csv") == {
        1: "customer 'acme' has no contract in force at created_at 2026-10-09T23:59:59Z",
        3: "unknown customer 'nobody'",
    }
    assert con.execute("SELECT ticket_id, plan, contract_id FROM intermediate.valid_tickets").fetchall() == [
        ("T2", "enterprise", "C-acme")
    ]


def test_r4_ticket_takes_the_plan_in_force_at_created_at(ingest):
    contracts = [
        {**BASE_CONTRACTS[0], "contract_id": "G", "plan": "growth", "starts_on": "2026-01-01", "ends_on": "2026-10-15"},
        {**BASE_CONTRACTS[0], "contract_id": "E", "plan": "enterprise", "starts_on": "2026-10-15", "ends_on": ""},
    ]
    con = ingest(contracts=contracts, tickets=[ticket("T1", "2026-10-14T23:59:00Z"), ticket("T2", "2026-10-15T00:00:00Z")])
    assert con.execute("SELECT ticket_id, plan FROM intermediate.valid_tickets ORDER BY 1").fetchall() == [
        ("T1", "growth"), ("T2", "enterprise")
    ]


def test_r3_overlapping_contracts_stop_the_run_naming_them(ingest):
    contracts = [
        {**BASE_CONTRACTS[0], "contract_id": "A", "starts_on": "2026-01-01", "ends_on": "2026-10-16"},
        {**BASE_CONTRACTS[0], "contract_id": "B", "starts_on": "2026-10-15", "ends_on": ""},
    ]
    with pytest.raises(OverlappingContractsError, match=r"customer 'acme': A \(line 1\) and B \(line 2\)"):
        ingest(contracts=contracts)


def test_r3_adjacent_contracts_do_not_overlap(ingest):
    contracts = [
        {**BASE_CONTRACTS[0], "contract_id": "A", "starts_on": "2026-01-01", "ends_on": "2026-10-15"},
        {**BASE_CONTRACTS[0], "contract_id": "B", "starts_on": "2026-10-15", "ends_on": ""},
    ]
    con = ingest(contracts=contracts)
    assert con.execute("SELECT count(*) FROM intermediate.valid_contracts WHERE customer_id = 'acme'").fetchone() == (2,)


def test_contract_field_rules(ingest):
    base = BASE_CONTRACTS[0]
    con = ingest(contracts=[
        {**base, "contract_id": "neg", "monthly_fee": "-100.00"},
        {**base, "contract_id": "cur", "currency": "EUX"},
        {**base, "contract_id": "jpy", "currency": "JPY", "monthly_fee": "1500.5"},
        {**base, "contract_id": "txt", "monthly_fee": "1,000"},
        {**base, "contract_id": "end", "starts_on": "2026-10-10", "ends_on": "2026-10-01"},
        {**base, "contract_id": "pln", "plan": "platinum"},
        {**base, "customer_id": "beta", "contract_id": "ok-jpy", "currency": "jpy", "monthly_fee": "1500000"},
    ])
    assert reasons(con, "contracts.csv") == {
        1: "monthly_fee '-100.00' is negative",
        2: "currency 'EUX' is not an ISO 4217 currency code",
        3: "monthly_fee '1500.5' has more decimals than JPY allows (0)",
        4: "monthly_fee '1,000' is not a decimal number (like 12500.00)",
        5: "contract ends (ends_on 2026-10-01, exclusive) before it starts (starts_on 2026-10-10)",
        6: "plan 'platinum' is not one of enterprise, growth",
    }
    row = con.execute("SELECT currency, minor_unit, monthly_fee FROM intermediate.valid_contracts").fetchone()
    assert row[0:2] == ("JPY", 0) and str(row[2]) == "1500000.0000"


def test_events_of_unknown_rejected_or_earlier_tickets(ingest):
    con = ingest(
        tickets=[ticket("T1", "2026-10-05T09:00:00Z"), ticket("T2", "2026-10-05T09:00:00")],
        ticket_events=[
            event(1, "T1", "2026-10-05T09:05:00Z", "agent_reply"),
            event(2, "T2", "2026-10-05T09:05:00Z", "agent_reply"),
            event(3, "T7", "2026-10-05T09:05:00Z", "agent_reply"),
            event(4, "T1", "2026-10-05T08:59:59Z", "agent_reply"),
            event(5, "T1", "2026-10-05T09:06:00Z", "severity_changed"),
            event(6, "T1", "2026-10-05T09:06:00Z", "severity_changed", "S9"),
            event("x7", "T1", "2026-10-05T09:06:00Z", "agent_reply"),
        ],
    )
    assert reasons(con, "ticket_events.csv") == {
        2: "its ticket was rejected (tickets.csv line 2)",
        3: "unknown ticket 'T7'",
        4: "event is dated 2026-10-05T08:59:59Z, before its ticket was created (2026-10-05T09:00:00Z)",
        5: "severity_changed event has no severity",
        6: "severity_changed event has severity 'S9', not one of S1, S2, S3, S4",
        7: "event_id 'x7' is not a whole number",
    }


def test_dependants_inherit_a_rejected_parent(ingest):
    customers = [*BASE_CUSTOMERS, {"customer_id": "bad id", "name": "Bad"}, {"customer_id": "gamma", "name": ""}]
    contracts = [*BASE_CONTRACTS, {**BASE_CONTRACTS[0], "contract_id": "C-gamma", "customer_id": "gamma"}]
    con = ingest(customers=customers, contracts=contracts,
                 tickets=[ticket("T1", "2026-10-05T09:00:00Z", customer_id="gamma")])
    assert reasons(con, "customers.csv") == {
        3: "customer_id 'bad id' is not a valid customer id (letters, digits, _ and -, at most 64)",
        4: "name is empty",
    }
    assert reasons(con, "contracts.csv") == {3: "its customer was rejected (customers.csv line 4)"}
    assert reasons(con, "tickets.csv") == {1: "its customer was rejected (customers.csv line 4)"}


def test_ticket_whose_contract_was_rejected_says_so(ingest):
    contracts = [{**BASE_CONTRACTS[0], "monthly_fee": "-1"}, BASE_CONTRACTS[1]]
    con = ingest(contracts=contracts, tickets=[ticket("T1", "2026-10-05T09:00:00Z")])
    assert reasons(con, "tickets.csv") == {1: "its contract was rejected (contracts.csv line 1)"}


def test_exact_duplicates_collapse_and_conflicts_reject_both(ingest):
    con = ingest(
        tickets=[
            ticket("T1", "2026-10-05T09:00:00Z"),
            ticket("T1", "2026-10-05T11:00:00+02:00"),  # same parsed values: an exact duplicate
            ticket("T2", "2026-10-05T09:00:00Z"),
            {**ticket("T2", "2026-10-05T09:00:00Z"), "subject": "edited"},
        ],
    )
    assert verdicts(con, "tickets.csv") == {1: "used", 2: "collapsed", 3: "rejected", 4: "rejected"}
    assert reasons(con, "tickets.csv") == {
        3: "conflicting duplicate: ticket_id 'T2' also appears with different values on line 4 of tickets.csv",
        4: "conflicting duplicate: ticket_id 'T2' also appears with different values on line 3 of tickets.csv",
    }


def test_windows_rules(ingest):
    window = {"maintenance_id": "M1", "starts_at": "2026-10-10T02:00:00Z", "ends_at": "2026-10-10T04:00:00Z",
              "announced_at": "2026-10-01T00:00:00Z", "customer_id": "", "title": "db upgrade"}
    con = ingest(
        maintenance=[
            window,
            {**window, "maintenance_id": "M2", "ends_at": "2026-10-10T01:00:00Z"},
            {**window, "maintenance_id": "M3", "customer_id": "nobody"},
            {**window, "maintenance_id": "M4", "starts_at": "2027-01-10T02:00:00Z", "ends_at": "2027-01-10T03:00:00Z"},
            {**window, "maintenance_id": "M5", "announced_at": "2030-01-01T00:00:00Z"},
        ],
        incidents=[
            {"incident_id": "I1", "starts_at": "2026-10-11T02:00:00Z", "ends_at": "2026-10-11T03:00:00Z",
             "cause": "customer_caused", "customer_id": "", "summary": "bad key"},
            {"incident_id": "I2", "starts_at": "2026-10-11T02:00:00Z", "ends_at": "2026-10-11T03:00:00Z",
             "cause": "meteor", "customer_id": "", "summary": "?"},
        ],
    )
    assert reasons(con, "maintenance.csv") == {
        2: "window ends (2026-10-10T01:00:00Z) before it starts (2026-10-10T02:00:00Z)",
        3: "unknown customer 'nobody'",
        5: "announced_at '2030-01-01T00:00:00Z' is in the future (the run started at 2026-11-27T12:00:00Z)",
    }
    # A window scheduled after the run is a plan, not an error: loaded, outside this month.
    assert verdicts(con, "maintenance.csv")[4] == "other_month"
    assert reasons(con, "incidents.csv") == {
        1: "customer_caused incident has no customer_id",
        2: "cause 'meteor' is not one of customer_caused, upstream, platform",
    }


def test_record_numbers_count_records_not_lines(ingest, tmp_path):
    con = ingest(tickets=[
        {**ticket("T1", "2026-10-05T09:00:00Z"), "subject": "first line\nsecond line"},
        ticket("T2", "bad"),
    ])
    assert reasons(con, "tickets.csv") == {2: "created_at 'bad' is not an ISO 8601 timestamp with offset"}
    raw = con.execute("SELECT raw FROM intermediate.csv_record_verdicts WHERE source_file = 'tickets.csv' AND line_number = 1").fetchone()[0]
    assert raw == 'T1,acme,email,S2,2026-10-05T09:00:00Z,"first line\nsecond line"'


def test_a_record_with_the_wrong_field_count_is_rejected(ingest, tmp_path):
    drop = write_drop(tmp_path / "drop")
    (drop / "tickets.csv").write_text(
        "ticket_id,customer_id,channel,severity,created_at,subject\n"
        "T1,acme,email,S2,2026-10-05T09:00:00Z,ok\n"
        "T2,acme,email,S2,2026-10-05T09:00:00Z\n"
    )
    with connection(tmp_path / "wh.duckdb") as con:
        ingest_csv_inputs(con, drop, RunParams("2026-10", None, RUN_STARTED))
        assert con.execute(
            "SELECT line_number, reject_reason FROM intermediate.checked_tickets WHERE reject_reason IS NOT NULL"
        ).fetchall() == [(2, "has 5 fields where the header has 6")]


def test_missing_required_column_names_file_and_column(tmp_path):
    drop = write_drop(tmp_path / "drop")
    write_csv(drop / "contracts.csv", [], header=["contract_id", "customer_id", "monthly_fee", "currency", "starts_on", "ends_on"])
    with connection(tmp_path / "wh.duckdb") as con, pytest.raises(InputFileError) as caught:
        ingest_csv_inputs(con, drop, RunParams("2026-10", None, RUN_STARTED))
    assert str(caught.value) == (
        "contracts.csv is missing required column 'plan' "
        "(its header has: contract_id, customer_id, monthly_fee, currency, starts_on, ends_on)"
    )


def test_missing_required_file_and_probe_folder(tmp_path):
    drop = write_drop(tmp_path / "drop")
    (drop / "ticket_events.csv").unlink()
    with connection(tmp_path / "wh.duckdb") as con, pytest.raises(InputFileError, match=r"required input file ticket_events.csv is missing from .*drop"):
        ingest_csv_inputs(con, drop, RunParams("2026-10", None, RUN_STARTED))
    write_drop(drop)
    for path in (drop / "probes").iterdir():
        path.unlink()
    (drop / "probes").rmdir()
    with connection(tmp_path / "wh.duckdb") as con, pytest.raises(InputFileError, match=r"required folder probes/ is missing"):
        ingest_csv_inputs(con, drop, RunParams("2026-10", None, RUN_STARTED))


def test_unreadable_file_is_named(tmp_path):
    drop = write_drop(tmp_path / "drop")
    (drop / "customers.csv").write_bytes(b"customer_id,name\nacme,\xff\xfe broken\n")
    with connection(tmp_path / "wh.duckdb") as con, pytest.raises(InputFileError, match=r"^customers.csv cannot be read: .*utf-8"):
        ingest_csv_inputs(con, drop, RunParams("2026-10", None, RUN_STARTED))


def test_accounting_identity_and_month_scope(ingest):
    con = ingest(
        tickets=[
            ticket("T-sep", "2026-09-30T23:59:59Z"),
            ticket("T-oct", "2026-10-01T00:00:00Z"),
            ticket("T-oct", "2026-10-01T00:00:00Z"),
            ticket("T-bad", "nope"),
        ],
        ticket_events=[
            event(1, "T-sep", "2026-10-01T10:00:00Z", "agent_reply"),  # event of a September ticket
            event(2, "T-oct", "2026-11-02T10:00:00Z", "agent_reply"),  # after month end, before as-of: used
            event(3, "T-oct", "2026-11-25T10:00:00Z", "resolved"),     # after as-of (2026-11-20): not used
        ],
    )
    assert verdicts(con, "tickets.csv") == {1: "other_month", 2: "used", 3: "collapsed", 4: "rejected"}
    assert verdicts(con, "ticket_events.csv") == {1: "other_month", 2: "used", 3: "other_month"}
    read, used, other, rejected, collapsed = con.execute(
        "SELECT count(*), count(*) FILTER (verdict = 'used'), count(*) FILTER (verdict = 'other_month'),"
        " count(*) FILTER (verdict = 'rejected'), count(*) FILTER (verdict = 'collapsed')"
        " FROM intermediate.csv_record_verdicts"
    ).fetchone()
    assert read == used + other + rejected + collapsed
