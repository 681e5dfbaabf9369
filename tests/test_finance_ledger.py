"""The finance ledger and the statement lifecycle: draft → approved → issued (issue #10, §1).

Real files: an append-only JSON Lines ledger written by several processes at once, a published
warehouse from the real job, the analysts' `statement_status` view opened read-only, and a real run
building while someone approves.
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures.finance import MONTH

from pipeline.cli import main
from pipeline.finance.ledger import Event, Ledger
from pipeline.finance.status import read_versions, statement_states
from pipeline.warehouse import connection
from pipeline.warehouse.build import releases_dir


def _append_many(path: str, writer: int, count: int) -> None:
    ledger = Ledger(Path(path))
    for i in range(count):
        ledger.append(Event("download", by=f"w{writer}", at="2026-12-01T00:00:00.000000Z", detail=f"{writer}-{i}" * 40))


def test_concurrent_appends_from_many_processes_never_lose_or_mix_a_line(tmp_path):
    path = tmp_path / "ledger.jsonl"
    writers, count = 6, 150
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(str(path), w, count)) for w in range(writers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    parsed = [json.loads(line) for line in lines[:-1]]  # every line is one whole JSON object
    assert len(parsed) == writers * count
    assert {e["detail"] for e in parsed} == {f"{w}-{i}" * 40 for w in range(writers) for i in range(count)}


def test_a_line_cut_short_by_a_crash_is_skipped_and_never_glued_to_the_next(tmp_path):
    ledger = Ledger(tmp_path / "ledger.jsonl")
    ledger.append(Event("download", by="ann", at="2026-12-01T00:00:00.000000Z", detail="first"))
    with open(ledger.path, "ab") as handle:
        handle.write(b'{"event":"approved","by":"bo')  # the process died mid-write
    ledger.append(Event("download", by="ann", at="2026-12-01T00:00:01.000000Z", detail="second"))
    assert [e.detail for e in ledger.events()] == ["first", "second"]
    assert ledger.path.read_bytes().count(b"\n") == 3


def _states(world):
    with connection(world.warehouse, read_only=True) as con:
        versions = read_versions(con, MONTH)
    return {s.customer_id: s for s in statement_states(versions, Ledger(world.ledger).events())}


def _cli(world, monkeypatch, *argv: str, **env: str) -> int:
    for name, value in world.env(**env).items():
        if name.startswith("SLA_") or name == "DAGSTER_HOME":
            monkeypatch.setenv(name, value)
    return main(list(argv))


def test_lifecycle_draft_approved_issued_with_who_and_when(finance_month, tmp_path, monkeypatch, capsys):
    world = finance_month.copy(tmp_path)
    assert {c: s.status for c, s in _states(world).items()} == dict.fromkeys(
        ["acme", "globex", "hooli", "initech", "kyoto-ai", "quote-co", "umbrella"], "draft"
    )
    assert _cli(world, monkeypatch, "approve", "--month", MONTH, "--by", "Ann Approver", "--customer", "globex") == 0
    assert "globex v1: approved by Ann Approver" in capsys.readouterr().out
    assert _cli(world, monkeypatch, "issue", "--month", MONTH, "--by", "Ian Issuer", "--customer", "globex") == 0
    globex = _states(world)["globex"]
    assert (globex.status, globex.by, globex.approved.by) == ("issued", "Ian Issuer", "Ann Approver")
    assert globex.approved.at <= globex.issued.at and globex.issued.at.endswith("Z")
    assert _states(world)["acme"].status == "draft"

    # the analysts' view, on a read-only session, says the same
    with connection(world.warehouse, read_only=True) as con:
        cursor = con.execute('SELECT customer, month, version, status, "by", "at" FROM statement_status ORDER BY 1')
        assert [d[0] for d in cursor.description] == ["customer", "month", "version", "status", "by", "at"]
        rows = cursor.fetchall()
    assert [r[:5] for r in rows if r[3] != "draft"] == [("globex", MONTH, 1, "issued", "Ian Issuer")]
    assert rows[1][5].isoformat().replace("+00:00", "Z") == globex.issued.at
    assert len(rows) == 7


def test_statement_status_view_reads_the_ledger_live_on_a_read_only_session(finance_month, tmp_path):
    """The view reads SLA_LEDGER by absolute path: lines appended after the session opened show."""
    ledger = Ledger(finance_month.ledger)
    with connection(finance_month.warehouse, read_only=True) as con:
        before = con.execute("SELECT count(*) FROM statement_ledger").fetchone()[0]
        ledger.append(Event("download", by="analyst-test", at="2026-12-01T00:00:00.000000Z", detail="/probe"))
        after = con.execute("SELECT count(*) FROM statement_ledger").fetchone()[0]
        (status_columns,) = [
            tuple(r[0] for r in con.execute("DESCRIBE statement_status").fetchall()[:6])
        ]
    assert after == before + 1
    assert status_columns == ("customer", "month", "version", "status", "by", "at")


def test_approve_is_refused_while_an_error_check_fails(finance_month, tmp_path, monkeypatch, capsys):
    world = finance_month.copy(tmp_path)
    with connection(world.warehouse) as con:  # damage the published figures: a negative credit
        con.execute("UPDATE credits SET credit_amount = -1 WHERE customer_id = 'globex' AND month = $m", {"m": MONTH})
    assert _cli(world, monkeypatch, "approve", "--month", MONTH, "--by", "ann") == 1
    err = capsys.readouterr().err
    assert err.startswith("sla-report: cannot approve 2026-10: ERROR check credits_out_of_bounds fails (1 violating rows)")
    assert Ledger(world.ledger).events() == []


def test_issue_is_refused_for_a_draft_and_nothing_is_issued(finance_month, tmp_path, monkeypatch, capsys):
    world = finance_month.copy(tmp_path)
    assert _cli(world, monkeypatch, "approve", "--month", MONTH, "--by", "ann", "--customer", "acme") == 0
    capsys.readouterr()
    assert _cli(world, monkeypatch, "issue", "--month", MONTH, "--by", "ian", "--customer", "acme", "--customer", "globex") == 1
    assert capsys.readouterr().err == (
        "sla-report: cannot issue 2026-10: not approved yet: globex v1 — approve first; nothing was issued\n"
    )
    assert [e.event for e in Ledger(world.ledger).events()] == ["approved"]
    assert not (world.statements / MONTH).exists()  # no .eml written either


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--customer", "nobody"], "sla-report: no statement for nobody in 2026-10\n"),
        (["--by", " "], "sla-report: --by must name the person acting (one line of text)\n"),
    ],
)
def test_refusals_say_why(finance_month, tmp_path, monkeypatch, capsys, argv, message):
    world = finance_month.copy(tmp_path)
    args = ["approve", "--month", MONTH, "--by", "ann", *argv]
    assert _cli(world, monkeypatch, *args) == 1
    assert capsys.readouterr().err == message


def test_unknown_month_is_refused(finance_month, tmp_path, monkeypatch, capsys):
    world = finance_month.copy(tmp_path)
    assert _cli(world, monkeypatch, "approve", "--month", "2026-09", "--by", "ann") == 1
    assert capsys.readouterr().err == "sla-report: the published warehouse has no statements for 2026-09\n"


def _building(warehouse: Path) -> list[Path]:
    """The warehouse files of releases being built (not yet published): pipeline/warehouse/build.py."""
    return [
        p / warehouse.name
        for p in releases_dir(warehouse).glob("run-*")
        if (p / warehouse.name).exists() and not (p / "published.json").exists()
    ]


def test_an_approval_made_while_a_run_is_building_is_never_lost(finance_month, tmp_path):
    """The race of issue #10: a rerun of the month builds a new warehouse (copy, rebuild, rename) while
    finance approves from another process; after the rename the approval is still there, in the
    ledger and in the new warehouse's `statement_status`."""
    world = finance_month.copy(tmp_path)
    env = world.env()
    run = subprocess.Popen(  # --force: the same drop would otherwise publish nothing (no build to race)
        [sys.executable, "-m", "pipeline.cli", "run", "--month", MONTH, "--force"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while not _building(world.warehouse):
            assert run.poll() is None, run.stdout.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        approved = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "approve", "--month", MONTH, "--by", "Racing Ann",
             "--customer", "globex"],
            env=env, capture_output=True, text=True, timeout=120,
        )
        assert approved.returncode == 0, approved.stderr
        assert _building(world.warehouse), "the run had finished: no race tested"
        output = run.communicate(timeout=300)[0].decode()
        assert run.returncode == 0, output
    finally:
        run.kill()
    with connection(world.warehouse, read_only=True) as con:
        rows = con.execute(
            "SELECT status, \"by\" FROM statement_status WHERE customer = 'globex' AND month = $m AND is_current",
            {"m": MONTH},
        ).fetchall()
    assert rows == [("approved", "Racing Ann")]
    assert [(e.event, e.by) for e in Ledger(world.ledger).events()] == [("approved", "Racing Ann")]
