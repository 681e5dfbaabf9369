"""Bad-input corpus, first half (issue 9 part 6): encoding, file shape and timestamps.

Every case is one parametrized test with an id and asserts its exact outcome: either which records were
rejected with which reason (`rejected_rows`: file, record number, reason) and that every other record
of every file is accounted (`input_file_accounting`: read = used + other months + rejected + collapsed,
each figure pinned), or which message stopped the run (an `InputFileError`: the one-line failure the
Dagster step and the CLI show, naming the file and the column/line) — and, through one real Dagster
run, that such a stop leaves a published month byte for byte as it was.

Speed: the cases drive `pipeline.month.ingest_month` (the inputs stage of every run: CSV inputs,
as-of, probe files, rejections, accounting) on small drops built in tmp folders. Cases that keep rows
share one ingestion per drop (module fixtures: BOM, CRLF, shapes, timestamps); a case that stops the
run ingests its own drop, which fails while reading. Readings of the contract these cases pin are in
docs/ingestion.md ("Bad input: encoding, shape, timestamps") and docs/reliability.md.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest
from fixtures.publication import invariant_violations
from fixtures.published import run_month_job

from pipeline.ingest.readers import MAX_FIELD_CHARS, MAX_READ_FIELD_CHARS, InputFileError
from pipeline.month import ingest_month
from pipeline.warehouse import connect, connection
from pipeline.warehouse.build import current_release

MONTH = "2026-10"
RUN_STARTED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
BOM = "\ufeff"

PROBE_HEADER = "probed_at,check,region,customer_id,status_code,error_code,latency_ms\n"

# The good drop every case spoils in one place. Text, so a case can change its bytes (BOM, CRLF, …).
BASE: dict[str, str] = {
    "customers.csv": "customer_id,name,billing_email\nacme,Acme Corp,billing@acme.test\nbeta,Beta GmbH,\n",
    "contracts.csv": (
        "contract_id,customer_id,plan,monthly_fee,currency,starts_on,ends_on\n"
        "C-acme,acme,enterprise,10000.00,EUR,2026-01-01,\n"
        "C-beta,beta,growth,500.00,EUR,2026-01-01,\n"
    ),
    "tickets.csv": (
        "ticket_id,customer_id,channel,severity,created_at,subject\n"
        "T1,acme,email,S2,2026-10-05T09:00:00Z,Login fails\n"
        'T2,beta,slack_connect,S3,2026-10-06T10:00:00Z,"Quota\nagain, twice"\n'
        "T3,acme,email,S1,2026-09-30T08:00:00Z,September ticket\n"
    ),
    "ticket_events.csv": (
        "event_id,ticket_id,occurred_at,event,severity\n"
        "1,T1,2026-10-05T09:05:00Z,agent_reply,\n"
        "2,T2,2026-10-06T11:00:00Z,agent_reply,\n"
        "3,T1,2026-10-05T12:00:00Z,resolved,\n"
    ),
    "maintenance.csv": (
        "maintenance_id,starts_at,ends_at,announced_at,customer_id,title\n"
        "M1,2026-10-10T02:00:00Z,2026-10-10T04:00:00Z,2026-10-01T00:00:00Z,,db upgrade\n"
    ),
    "incidents.csv": (
        "incident_id,starts_at,ends_at,cause,customer_id,summary\n"
        "I1,2026-10-11T02:00:00Z,2026-10-11T03:00:00Z,upstream,,provider outage\n"
    ),
    "probes/shared.csv": (
        PROBE_HEADER
        + "2026-10-05T09:00:00Z,health_live,eu-west,,200,,80\n"
        + "2026-10-05T09:00:20Z,chat_completions,eu-west,,200,,900\n"
    ),
    "probes/tenant.jsonl": (
        '{"probed_at":"2026-10-05T09:00:00Z","check":"chat_completions","region":"eu-west",'
        '"customer_id":"acme","status_code":200,"error_code":null,"latency_ms":700}\n'
    ),
    "probes/late.csv.gz": PROBE_HEADER + "2026-11-01T00:00:10Z,health_live,us-east,,503,upstream_error,40\n",
}
CSV_INPUTS = ("customers.csv", "contracts.csv", "tickets.csv", "ticket_events.csv", "maintenance.csv", "incidents.csv")

# Where every record of the good drop goes: (read, used, other months, rejected, collapsed).
BASE_ACCOUNTING = {
    "contracts.csv": (2, 2, 0, 0, 0),
    "customers.csv": (2, 2, 0, 0, 0),
    "incidents.csv": (1, 1, 0, 0, 0),
    "maintenance.csv": (1, 1, 0, 0, 0),
    "probes/late.csv.gz": (1, 0, 1, 0, 0),  # November: another month
    "probes/shared.csv": (2, 2, 0, 0, 0),
    "probes/tenant.jsonl": (1, 1, 0, 0, 0),
    "ticket_events.csv": (3, 3, 0, 0, 0),
    "tickets.csv": (3, 2, 1, 0, 0),  # T3 was created in September
}


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write a drop: text as UTF-8 exactly as given (no newline translation), `.gz` names gzipped."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    (root / "probes").mkdir(parents=True, exist_ok=True)
    return root


@dataclass(frozen=True)
class Ingested:
    """What the inputs stage left in the build warehouse, read back as plain values."""

    accounting: dict[str, tuple[int, int, int, int, int]]
    rejected: dict[tuple[str, int], str]
    raw: dict[tuple[str, int], str]
    verdicts: dict[tuple[str, int], str]
    tickets: dict[str, tuple[datetime, str]]
    contracts: dict[str, tuple[Decimal, str]]
    windows: dict[str, tuple[datetime, datetime]]
    probes: dict[tuple[str, int], tuple[datetime, datetime]]  # shared probe rows of the month: (instant, minute)


def ingest(root: Path, files: dict[str, str | bytes]) -> Ingested:
    """Run the inputs stage of a month (pipeline.month.ingest_month) on a drop made of `files`."""
    drop = write_files(root / "drop", files)
    con = connect(root / "build.duckdb")
    try:
        ingest_month(con, drop, MONTH, 48, run_started_at=RUN_STARTED)
        accounting = {
            r[0]: tuple(r[1:]) for r in con.execute(
                "SELECT source_file, rows_read, rows_used, rows_other_months, rows_rejected, rows_collapsed"
                " FROM main.input_file_accounting WHERE month = ?", [MONTH]).fetchall()
        }
        rows = con.execute("SELECT source_file, line_number, reason, raw FROM main.rejected_rows WHERE month = ?",
                           [MONTH]).fetchall()
        verdicts = {(f, n): v for f, n, v in con.execute(
            "SELECT source_file, line_number, verdict FROM intermediate.csv_record_verdicts").fetchall()}
        tickets = {t: (c, s) for t, c, s in con.execute(
            "SELECT ticket_id, created_at, subject FROM intermediate.valid_tickets").fetchall()}
        contracts = {c: (f, cur) for c, f, cur in con.execute(
            "SELECT contract_id, monthly_fee, currency FROM intermediate.valid_contracts").fetchall()}
        windows = {m: (s, e) for m, s, e in con.execute(
            "SELECT maintenance_id, starts_at, ends_at FROM intermediate.valid_maintenance").fetchall()}
        probes = {(f, n): (at, minute) for f, n, at, minute in con.execute(
            "SELECT source_file, line_number, probed_at, minute FROM intermediate.probe_judged_results").fetchall()}
    finally:
        con.close()
    return Ingested(
        accounting=accounting,
        rejected={(f, n): reason for f, n, reason, _ in rows},
        raw={(f, n): raw for f, n, _, raw in rows},
        verdicts=verdicts,
        tickets=tickets,
        contracts=contracts,
        windows=windows,
        probes=probes,
    )


def stop_message(root: Path, files: dict[str, str | bytes]) -> str:
    """The message that stops the run on this drop (it must stop it)."""
    with pytest.raises(InputFileError) as caught:
        ingest(root, files)
    return str(caught.value)


def assert_balanced(result: Ingested) -> None:
    for name, (read, used, other, rejected, collapsed) in result.accounting.items():
        assert read == used + other + rejected + collapsed, name


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- a UTF-8 byte order mark on each input file ---------------------------------------------------


@pytest.fixture(scope="module")
def with_bom(tmp_path_factory) -> Ingested:
    """Every file of the good drop starting with a UTF-8 BOM (Excel's "CSV UTF-8"), the gzipped one inside."""
    return ingest(tmp_path_factory.mktemp("bom"), {name: BOM + text for name, text in BASE.items()})


@pytest.mark.parametrize("name", sorted(BASE), ids=[f"bom-{n.split('/')[-1]}" for n in sorted(BASE)])
def test_a_utf8_bom_on_any_input_file_changes_nothing(with_bom, name):
    # A BOM left on the first header would make its first column unknown ("missing column customer_id")
    # and stop the run: every record of the file is accounted exactly as without it.
    assert with_bom.accounting[name] == BASE_ACCOUNTING[name]
    assert not [key for key in with_bom.rejected if key[0] == name]
    assert_balanced(with_bom)


def test_bom_first_column_values_are_read_without_it(with_bom):
    assert set(with_bom.contracts) == {"C-acme", "C-beta"}  # first column of contracts.csv
    assert with_bom.tickets["T1"] == (utc(2026, 10, 5, 9), "Login fails")


# --- CRLF line ends --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_crlf(tmp_path_factory) -> Ingested:
    """Every file with Windows line ends — also inside T2's quoted two-line subject — and one bad row."""
    files = {name: text.replace("\n", "\r\n") for name, text in BASE.items()}
    files["tickets.csv"] += "T4,acme,email,S9,2026-10-07T10:00:00Z,bad severity\r\n"
    return ingest(tmp_path_factory.mktemp("crlf"), files)


def test_crlf_line_ends_keep_every_record(with_crlf):
    assert with_crlf.accounting == {**BASE_ACCOUNTING, "tickets.csv": (4, 2, 1, 1, 0)}
    assert with_crlf.rejected == {("tickets.csv", 4): "severity 'S9' is not one of S1, S2, S3, S4"}
    assert_balanced(with_crlf)


def test_crlf_raw_text_has_no_line_end_and_a_quoted_line_break_is_kept_as_written(with_crlf):
    assert with_crlf.raw[("tickets.csv", 4)] == "T4,acme,email,S9,2026-10-07T10:00:00Z,bad severity"
    assert with_crlf.tickets["T2"] == (utc(2026, 10, 6, 10), "Quota\r\nagain, twice")


# --- file shapes that keep their rows, and records of a broken shape -------------------------------

TEN_MB = 10 * 1_048_576
SHAPES_TICKETS = (
    "priority,ticket_id,note,customer_id,channel,severity,created_at,subject,note\n"  # extra columns, one twice
    "p1,T1,a,acme,email,S2,2026-10-05T09:00:00Z,Login fails,b\n"
    "p2,T2,a,beta,slack_connect,S3,2026-10-06T10:00:00Z,Quota,b\n"
    "p3,T4,a,acme,email,S2,2026-10-07T10:00:00Z,nul \x00 here,b\n"
    f"p4,T5,a,acme,email,S2,2026-10-08T10:00:00Z,{'x' * TEN_MB},b\n"
    "p5,T6,a,acme,email,S2,2026-10-09T10:00:00Z,after the big one,b\n"
    "p6,T7,a,acme,em"  # the export was cut off mid-record: no line end
)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> Ingested:
    files: dict[str, str | bytes] = dict(BASE)
    files["tickets.csv"] = SHAPES_TICKETS
    files["ticket_events.csv"] = "event_id,ticket_id,occurred_at,event,severity\n1,T1,2026-10-05T09:05:00Z,agent_reply,\n"
    # columns in the reverse order
    files["contracts.csv"] = (
        "ends_on,starts_on,currency,monthly_fee,plan,customer_id,contract_id\n"
        ",2026-01-01,EUR,10000.00,enterprise,acme,C-acme\n"
        ",2026-01-01,JPY,50000,growth,beta,C-beta\n"
    )
    files["maintenance.csv"] = "maintenance_id,starts_at,ends_at,announced_at,customer_id,title\n"  # header only
    files["incidents.csv"] = BASE["incidents.csv"] + "\x00" * 64  # a zero-filled tail after a crash
    files["probes/empty.csv"] = b""
    files["probes/empty.jsonl"] = b""
    files["probes/empty.csv.gz"] = b""  # gzipped nothing
    files["probes/empty.parquet"] = b""
    files["probes/header-only.csv"] = PROBE_HEADER
    files["probes/nul.jsonl"] = (
        '{"probed_at":"2026-10-05T09:02:00Z","check":"health_live","region":"ap","status_code":200,'
        '"customer_id":null,"error_code":null}\n{"probed_at":"2026-10-05T09:03:00Z","che\x00\x00\n'
    )
    files["probes/reordered.csv"] = (  # another column order, optional latency_ms absent
        "customer_id,status_code,error_code,region,check,probed_at\n,200,,us-east,health_live,2026-10-05T09:01:00Z\n"
    )
    return ingest(tmp_path_factory.mktemp("shapes"), files)


@dataclass(frozen=True)
class Kept:
    file: str
    accounting: tuple[int, int, int, int, int]
    rejected: dict[int, str]


SHAPE_CASES = {
    "columns-in-another-order": Kept("contracts.csv", (2, 2, 0, 0, 0), {}),
    "extra-unknown-columns-one-of-them-twice": Kept("tickets.csv", (6, 3, 0, 3, 0), {
        3: "has a NUL byte (0x00) in subject: the file may be damaged",
        4: f"has a field too long: subject is {TEN_MB} characters, more than the {MAX_FIELD_CHARS} a field may hold",
        6: "has 5 fields where the header has 9",
    }),
    "header-only-file": Kept("maintenance.csv", (0, 0, 0, 0, 0), {}),
    "zero-filled-tail": Kept("incidents.csv", (2, 1, 0, 1, 0), {
        2: "has a NUL byte (0x00) in incident_id: the file may be damaged",
    }),
    "empty-probe-csv": Kept("probes/empty.csv", (0, 0, 0, 0, 0), {}),
    "empty-probe-jsonl": Kept("probes/empty.jsonl", (0, 0, 0, 0, 0), {}),
    "empty-probe-gzip": Kept("probes/empty.csv.gz", (0, 0, 0, 0, 0), {}),
    "empty-probe-parquet": Kept("probes/empty.parquet", (0, 0, 0, 0, 0), {}),
    "header-only-probe-csv": Kept("probes/header-only.csv", (0, 0, 0, 0, 0), {}),
    "nul-bytes-in-a-jsonl-probe-file": Kept("probes/nul.jsonl", (2, 1, 0, 1, 0), {
        2: "record has a NUL byte (0x00): the file may be damaged",
    }),
    "probe-columns-reordered-optional-absent": Kept("probes/reordered.csv", (1, 1, 0, 0, 0), {}),
}


@pytest.mark.parametrize("case", SHAPE_CASES.values(), ids=SHAPE_CASES.keys())
def test_file_shapes(shapes, case):
    assert shapes.accounting[case.file] == case.accounting
    assert {n: r for (f, n), r in shapes.rejected.items() if f == case.file} == case.rejected
    assert_balanced(shapes)


def test_shapes_leave_every_other_file_whole(shapes):
    changed = {c.file for c in SHAPE_CASES.values()} | {"ticket_events.csv"}
    assert {f: a for f, a in shapes.accounting.items() if f not in changed} == {
        f: a for f, a in BASE_ACCOUNTING.items() if f not in changed
    }
    assert shapes.accounting["ticket_events.csv"] == (1, 1, 0, 0, 0)


def test_columns_are_found_by_name_not_by_place(shapes):
    assert shapes.contracts == {"C-acme": (Decimal("10000.0000"), "EUR"), "C-beta": (Decimal("50000.0000"), "JPY")}
    # the rows around the broken ones are read from the right columns (not from `priority` or `note`)
    assert shapes.tickets == {
        "T1": (utc(2026, 10, 5, 9), "Login fails"),
        "T2": (utc(2026, 10, 6, 10), "Quota"),
        "T6": (utc(2026, 10, 9, 10), "after the big one"),
    }


def test_raw_text_of_broken_records_is_kept_printable_and_bounded(shapes):
    assert shapes.raw[("tickets.csv", 3)] == "p3,T4,a,acme,email,S2,2026-10-07T10:00:00Z,nul \u2400 here,b"
    big = shapes.raw[("tickets.csv", 4)]
    assert big.startswith("p4,T5,a,acme,email,S2,2026-10-08T10:00:00Z,xxx") and len(big) < 1_100
    assert big.endswith(f"… (cut: {len('p4,T5,a,acme,email,S2,2026-10-08T10:00:00Z,') + TEN_MB + len(',b')} characters in all)")
    assert shapes.raw[("tickets.csv", 6)] == "p6,T7,a,acme,em"
    assert shapes.raw[("incidents.csv", 2)] == "\u2400" * 64
    assert shapes.raw[("probes/nul.jsonl", 2)] == '{"probed_at":"2026-10-05T09:03:00Z","che\u2400\u2400'


# --- files that stop the run ---------------------------------------------------------------------


def _latin1_tickets() -> bytes:
    text = BASE["tickets.csv"].replace("September ticket", "Réclamation")
    return text.encode("latin-1")


STOP_CASES: dict[str, tuple[dict[str, str | bytes], str]] = {
    "invalid-utf8": (
        {"tickets.csv": _latin1_tickets()},
        "tickets.csv cannot be read: line 5 is not utf-8 text (byte 0xe9 at byte 40 of the line); "
        "export the file as UTF-8",
    ),
    "utf16-file": (
        {"customers.csv": BASE["customers.csv"].encode("utf-16")},
        "customers.csv cannot be read: it is UTF-16 text (it starts with a UTF-16 byte order mark); export it as UTF-8",
    ),
    "invalid-utf8-in-gzipped-probe-file": (
        {"probes/late.csv.gz": PROBE_HEADER.encode() + b"2026-10-05T09:02:00Z,health_live,eu-w\xffst,,200,,1\n"},
        "probes/late.csv.gz cannot be read: line 2 is not utf-8 text (byte 0xff at byte 38 of the line); "
        "export the file as UTF-8",
    ),
    "invalid-utf8-in-jsonl-probe-file": (
        {"probes/tenant.jsonl": BASE["probes/tenant.jsonl"].encode() + b'{"probed_at":"\xc3(",\n'},
        "probes/tenant.jsonl cannot be read: line 2 is not utf-8 text (byte 0xc3 at byte 15 of the line); "
        "export the file as UTF-8",
    ),
    "duplicate-header-name": (
        {"ticket_events.csv": "event_id,ticket_id,occurred_at,event,severity,occurred_at\n"},
        "ticket_events.csv has column 'occurred_at' 2 times in its header (columns 3, 6): "
        "which one holds occurred_at is ambiguous",
    ),
    "missing-required-column-typo": (
        {"tickets.csv": BASE["tickets.csv"].replace("created_at", "created at", 1)},
        "tickets.csv is missing required column 'created_at' "
        "(its header has: ticket_id, customer_id, channel, severity, created at, subject)",
    ),
    "missing-required-probe-column": (
        {"probes/shared.csv": PROBE_HEADER.replace("status_code,", "") + "2026-10-05T09:00:00Z,health_live,eu,,,1\n"},
        "probes/shared.csv is missing required column 'status_code' "
        "(its header has: probed_at, check, region, customer_id, error_code, latency_ms)",
    ),
    "semicolon-delimiter": (
        {"contracts.csv": BASE["contracts.csv"].replace(",", ";")},
        "contracts.csv is not comma-separated: its header is one field that ';' separates into contract_id, "
        "customer_id, plan, monthly_fee, currency, starts_on, ends_on; export it with ',' as the separator",
    ),
    "tab-delimiter": (
        {"customers.csv": BASE["customers.csv"].replace(",", "\t")},
        "customers.csv is not comma-separated: its header is one field that tab separates into customer_id, "
        "name, billing_email; export it with ',' as the separator",
    ),
    "unterminated-quote": (
        {"tickets.csv": BASE["tickets.csv"] + 'T4,acme,email,S2,2026-10-07T10:00:00Z,"never closed\nT5,acme\n'},
        "tickets.csv cannot be read: the quoted field that starts on line 6 is never closed "
        "(the file ends inside it: a cut-off export or a stray quote)",
    ),
    "text-after-a-closing-quote": (
        {"maintenance.csv": BASE["maintenance.csv"] + 'M2,2026-10-12T02:00:00Z,2026-10-12T03:00:00Z,'
                                                      '2026-10-01T00:00:00Z,,"db" upgrade\n'},
        "maintenance.csv cannot be read: line 3: ',' expected after '\"'",
    ),
    "empty-required-file": (
        {"ticket_events.csv": ""},
        "ticket_events.csv is empty: it has no header row",
    ),
}


@pytest.mark.parametrize("case", STOP_CASES.values(), ids=STOP_CASES.keys())
def test_a_file_that_cannot_be_read_stops_the_run_naming_it(tmp_path, case):
    spoiled, message = case
    assert stop_message(tmp_path, {**BASE, **spoiled}) == message


def test_a_field_beyond_what_is_read_stops_the_run_and_memory_stays_bounded(tmp_path):
    # Past MAX_READ_FIELD_CHARS the reader stops instead of holding ever more of the file in memory.
    big = "T9,acme,email,S2,2026-10-05T09:00:00Z," + "y" * (MAX_READ_FIELD_CHARS + 1) + "\n"
    message = stop_message(tmp_path, {**BASE, "tickets.csv": BASE["tickets.csv"] + big})
    assert message == f"tickets.csv cannot be read: line 6: field larger than field limit ({MAX_READ_FIELD_CHARS})"


# --- timestamps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """One timestamp case: the text, and either the UTC instant it means (None = rejected) and whether
    the row belongs to October, or the exact rejection reason."""

    text: str
    instant: datetime | None = None
    in_month: bool = True
    reason: str | None = None


TICKET_STAMPS = {
    "nanoseconds": Stamp("2026-10-05T09:00:00.123456789Z", utc(2026, 10, 5, 9, 0, 0, 123456)),
    "nanoseconds-truncated-not-rounded-at-month-end": Stamp(
        "2026-10-31T23:59:59.999999999Z", utc(2026, 10, 31, 23, 59, 59, 999999)),
    "leap-second-at-month-end": Stamp("2026-10-31T23:59:60Z", utc(2026, 10, 31, 23, 59, 59, 999999)),
    "leap-second-in-local-time": Stamp("2026-11-01T00:59:60.5+01:00", utc(2026, 10, 31, 23, 59, 59, 999999)),
    "second-60-mid-month": Stamp("2026-10-05T10:15:60Z", reason=(
        "created_at '2026-10-05T10:15:60Z' has second 60: a leap second exists only at 23:59:60 UTC on the "
        "last day of a month")),
    "year-10000": Stamp("10000-01-01T00:00:00Z", reason=(
        "created_at '10000-01-01T00:00:00Z' is not an ISO 8601 timestamp with offset")),
    "minus-00-00-unknown-local-offset": Stamp("2026-10-05T09:30:00-00:00", utc(2026, 10, 5, 9, 30)),
    "no-offset-with-fraction": Stamp("2026-10-05T09:00:00.5", reason=(
        "created_at '2026-10-05T09:00:00.5' has no UTC offset, so the instant is ambiguous (write Z or ±hh:mm)")),
    "date-only": Stamp("2026-10-05", reason="created_at '2026-10-05' is not an ISO 8601 timestamp with offset"),
    "offset-plus-24-00": Stamp("2026-10-05T09:00:00+24:00", reason=(
        "created_at '2026-10-05T09:00:00+24:00' has an offset out of range (at most ±23:59)")),
    "offset-minute-60": Stamp("2026-10-05T09:00:00+02:60", reason=(
        "created_at '2026-10-05T09:00:00+02:60' has an offset out of range (at most ±23:59)")),
    "offset-plus-23-59": Stamp("2026-10-06T09:00:00+23:59", utc(2026, 10, 5, 9, 1)),
    "hour-24": Stamp("2026-10-31T24:00:00Z", reason=(
        "created_at '2026-10-31T24:00:00Z' has hour 24 (write 00:00 of the next day)")),
    "february-29-of-a-common-year": Stamp("2026-02-29T09:00:00Z", reason=(
        "created_at '2026-02-29T09:00:00Z' is not an ISO 8601 timestamp with offset")),
    "offset-moves-it-into-the-month-before": Stamp("2026-10-01T00:30:00+01:00", utc(2026, 9, 30, 23, 30), False),
    "offset-keeps-it-in-the-month": Stamp("2026-11-01T00:30:00+01:00", utc(2026, 10, 31, 23, 30)),
    "lower-case-t-and-z": Stamp("2026-10-05t09:45:00z", utc(2026, 10, 5, 9, 45)),
    "space-separator-hour-only-offset": Stamp("2026-10-05 11:50:00+02", utc(2026, 10, 5, 9, 50)),
    "ten-fraction-digits": Stamp("2026-10-05T09:00:00.1234567890Z", reason=(
        "created_at '2026-10-05T09:00:00.1234567890Z' is not an ISO 8601 timestamp with offset")),
    "trailing-text": Stamp("2026-10-05T09:00:00Z (CET)", reason=(
        "created_at '2026-10-05T09:00:00Z (CET)' is not an ISO 8601 timestamp with offset")),
    "future-by-one-second": Stamp("2026-11-27T12:00:01Z", reason=(
        "created_at '2026-11-27T12:00:01Z' is in the future (the run started at 2026-11-27T12:00:00Z)")),
    "future-only-through-its-offset": Stamp("2026-11-27T11:30:00-01:00", reason=(
        "created_at '2026-11-27T11:30:00-01:00' is in the future (the run started at 2026-11-27T12:00:00Z)")),
}
TICKET_IDS = {name: f"TS{n:02d}" for n, name in enumerate(TICKET_STAMPS, start=1)}

# Probe files: one file per case, so the file's accounting is the case's outcome.
PROBE_STAMPS = {
    "probe-nanoseconds-at-month-end": Stamp("2026-10-31T23:59:59.999999999Z", utc(2026, 10, 31, 23, 59, 59, 999999)),
    "probe-leap-second-at-month-end": Stamp("2026-10-31T23:59:60Z", utc(2026, 10, 31, 23, 59, 59, 999999)),
    "probe-year-10000": Stamp("10000-01-01T00:00:00Z", reason=(
        "probed_at '10000-01-01T00:00:00Z' is not an ISO 8601 timestamp with offset")),
    "probe-offset-plus-24-00": Stamp("2026-10-05T09:00:00+24:00", reason=(
        "probed_at '2026-10-05T09:00:00+24:00' has an offset out of range (at most ±23:59)")),
    "probe-hour-24-at-month-end": Stamp("2026-10-31T24:00:00Z", reason=(
        "probed_at '2026-10-31T24:00:00Z' has hour 24 (write 00:00 of the next day)")),
    "probe-february-30": Stamp("2026-02-30T09:00:00Z", reason=(
        "probed_at '2026-02-30T09:00:00Z' is not an ISO 8601 timestamp with offset")),
    "probe-minus-00-00": Stamp("2026-10-05T09:03:00-00:00", utc(2026, 10, 5, 9, 3)),
    "probe-fraction-without-digits": Stamp("2026-10-05T09:00:00.Z", reason=(
        "probed_at '2026-10-05T09:00:00.Z' is not an ISO 8601 timestamp with offset")),
    "probe-single-digit-hour": Stamp("2026-10-05T9:00:00Z", reason=(
        "probed_at '2026-10-05T9:00:00Z' is not an ISO 8601 timestamp with offset")),  # DuckDB's cast reads it
    "probe-parquet-style-plus-00": Stamp("2026-10-05 09:04:00.5+00", utc(2026, 10, 5, 9, 4, 0, 500000)),
    "probe-spaces-around": Stamp(" 2026-10-05T09:05:00Z ", utc(2026, 10, 5, 9, 5)),
}
PROBE_FILES = {name: f"probes/ts-{n:02d}.csv" for n, name in enumerate(PROBE_STAMPS, start=1)}

# Events of T1 (created 2026-10-05T09:00:00Z) and maintenance windows: ordering is by instant.
EVENT_CASES = {
    "event-before-its-ticket-in-another-offset": (
        "2026-10-05T10:59:59+02:00",
        "event is dated 2026-10-05T08:59:59Z, before its ticket was created (2026-10-05T09:00:00Z)"),
    "event-at-its-ticket-creation-in-another-offset": ("2026-10-05T04:00:00-05:00", None),
    "event-on-february-30": ("2026-02-30T09:00:00Z", "occurred_at '2026-02-30T09:00:00Z' is not an ISO 8601 timestamp with offset"),
    "event-with-empty-occurred-at": ("", "occurred_at is empty"),
}
EVENT_LINES = {name: n for n, name in enumerate(EVENT_CASES, start=2)}  # line 1 is the base agent reply

WINDOW_CASES = {
    # ends earlier on the clock than it starts, but later as an instant: a valid 1-hour window
    "window-ends-after-it-starts-only-as-an-instant": (
        "2026-10-10T04:00:00+02:00", "2026-10-10T03:00:00+00:00", (utc(2026, 10, 10, 2), utc(2026, 10, 10, 3)), None),
    "window-without-offset": (
        "2026-10-12T02:00:00", "2026-10-12T03:00:00Z", None,
        "starts_at '2026-10-12T02:00:00' has no UTC offset, so the instant is ambiguous (write Z or ±hh:mm)"),
    "window-ends-when-it-starts-in-other-offsets": (
        "2026-10-13T02:00:00Z", "2026-10-13T04:00:00+02:00", None,
        "window ends (2026-10-13T04:00:00+02:00 = 2026-10-13T02:00:00Z) before it starts (2026-10-13T02:00:00Z)"),
}
WINDOW_IDS = {name: f"MW{n}" for n, name in enumerate(WINDOW_CASES, start=1)}


@pytest.fixture(scope="module")
def stamps(tmp_path_factory) -> Ingested:
    files: dict[str, str | bytes] = dict(BASE)
    files["tickets.csv"] = BASE["tickets.csv"] + "".join(
        f"{TICKET_IDS[name]},acme,email,S3,{case.text},case {name}\n" for name, case in TICKET_STAMPS.items()
    )
    files["ticket_events.csv"] = "event_id,ticket_id,occurred_at,event,severity\n1,T1,2026-10-05T09:05:00Z,agent_reply,\n" + "".join(
        f"{n},T1,{text},customer_reply,\n" for n, (text, _) in zip(EVENT_LINES.values(), EVENT_CASES.values(), strict=True)
    )
    files["maintenance.csv"] = "maintenance_id,starts_at,ends_at,announced_at,customer_id,title\n" + "".join(
        f"{WINDOW_IDS[name]},{start},{end},2026-10-01T00:00:00Z,,{name}\n"
        for name, (start, end, _, _) in WINDOW_CASES.items()
    )
    for n, (name, case) in enumerate(PROBE_STAMPS.items()):
        files[PROBE_FILES[name]] = PROBE_HEADER + f"{case.text},health_live,ts-{n},,200,,5\n"
    return ingest(tmp_path_factory.mktemp("stamps"), files)


def _ticket_line(name: str) -> int:
    return 3 + list(TICKET_STAMPS).index(name) + 1  # after the base drop's three tickets


@pytest.mark.parametrize("name", TICKET_STAMPS, ids=TICKET_STAMPS.keys())
def test_ticket_timestamps(stamps, name):
    case, line = TICKET_STAMPS[name], _ticket_line(name)
    if case.reason is None:
        assert stamps.tickets[TICKET_IDS[name]] == (case.instant, f"case {name}")
        assert stamps.verdicts[("tickets.csv", line)] == ("used" if case.in_month else "other_month")
        assert ("tickets.csv", line) not in stamps.rejected
    else:
        assert stamps.rejected[("tickets.csv", line)] == case.reason
        assert TICKET_IDS[name] not in stamps.tickets


def test_ticket_timestamps_account_for_every_row(stamps):
    rejected = sum(1 for c in TICKET_STAMPS.values() if c.reason)
    other = 1 + sum(1 for c in TICKET_STAMPS.values() if c.reason is None and not c.in_month)
    read = 3 + len(TICKET_STAMPS)
    assert stamps.accounting["tickets.csv"] == (read, read - rejected - other, other, rejected, 0)
    assert {n for (f, n) in stamps.rejected if f == "tickets.csv"} == {
        _ticket_line(name) for name, c in TICKET_STAMPS.items() if c.reason
    }
    assert_balanced(stamps)


@pytest.mark.parametrize("name", PROBE_STAMPS, ids=PROBE_STAMPS.keys())
def test_probe_timestamps(stamps, name):
    case, file = PROBE_STAMPS[name], PROBE_FILES[name]
    if case.reason is None:
        # read as that instant, in its minute: the row is of October (rounded into November it would be
        # "other month")
        assert stamps.accounting[file] == (1, 1, 0, 0, 0)
        assert stamps.probes[(file, 1)] == (case.instant, case.instant.replace(second=0, microsecond=0))
    else:
        assert stamps.accounting[file] == (1, 0, 0, 1, 0)
        assert stamps.rejected[(file, 1)] == case.reason


@pytest.mark.parametrize("name", EVENT_CASES, ids=EVENT_CASES.keys())
def test_event_timestamps(stamps, name):
    _, reason = EVENT_CASES[name]
    line = EVENT_LINES[name]
    if reason is None:
        assert stamps.verdicts[("ticket_events.csv", line)] == "used"
    else:
        assert stamps.rejected[("ticket_events.csv", line)] == reason
    assert stamps.accounting["ticket_events.csv"] == (5, 2, 0, 3, 0)


@pytest.mark.parametrize("name", WINDOW_CASES, ids=WINDOW_CASES.keys())
def test_window_timestamps(stamps, name):
    _, _, instants, reason = WINDOW_CASES[name]
    line = list(WINDOW_CASES).index(name) + 1
    if reason is None:
        assert stamps.windows[WINDOW_IDS[name]] == instants
        assert stamps.verdicts[("maintenance.csv", line)] == "used"
    else:
        assert stamps.rejected[("maintenance.csv", line)] == reason
    assert stamps.accounting["maintenance.csv"] == (3, 1, 0, 2, 0)


# --- a file that stops a real run leaves the published month as it was -----------------------------


def _published_state(warehouse: Path, statements: Path) -> dict[str, str]:
    """What a reader of the published paths sees: the `current` release, the warehouse bytes and every
    statement file (through the month links), as sha256 digests. A failed run's own release folder is
    not published and not part of it."""
    state = {"current": current_release(warehouse).name,
             "warehouse": hashlib.sha256(warehouse.read_bytes()).hexdigest()}
    for folder, _, names in sorted(os.walk(statements, followlinks=True)):
        for name in sorted(names):
            path = Path(folder) / name
            state[str(path.relative_to(statements))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def test_a_file_that_stops_a_real_run_publishes_nothing(published_october, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(published_october.warehouse.parent, out, symlinks=True)
    warehouse, statements = out / published_october.warehouse.name, out / published_october.statements.name
    # the copy's `statements` rows name the original's absolute paths: point them at the copy
    with connection(warehouse) as con:
        con.execute("UPDATE main.statements SET path = replace(path, ?, ?)",
                    [str(published_october.statements), str(statements)])
    before = _published_state(warehouse, statements)
    assert any(key.endswith(".pdf") for key in before)
    assert invariant_violations(warehouse, statements) == []
    drop = tmp_path / "drop"
    shutil.copytree(published_october.data, drop)
    with open(drop / "tickets.csv", "a", encoding="utf-8", newline="") as handle:
        handle.write('T-CUT,acme,email,S2,2026-10-07T10:00:00Z,"a subject cut off\n')
    lines = (drop / "tickets.csv").read_text(encoding="utf-8").count("\n")

    result = run_month_job(drop, warehouse, statements, MONTH)

    assert not result.success
    failures = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert [(e.step_key, e.step_failure_data.user_failure_data.description) for e in failures] == [(
        "input_tables",
        f"tickets.csv cannot be read: the quoted field that starts on line {lines} is never closed "
        "(the file ends inside it: a cut-off export or a stray quote)",
    )]
    assert _published_state(warehouse, statements) == before  # same release, warehouse bytes and PDFs
    assert invariant_violations(warehouse, statements) == []
